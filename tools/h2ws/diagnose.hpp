// Second looks at a server after a failed connection, so that the error message can say
// what to do: is the port TLS or cleartext, and why was its certificate refused? Each
// probe is one short connection of its own, bounded in time, made only after a failure
// (never through a proxy).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace h2ws::cli {

/// What a probe found on the other end.
enum class port_speaks {
  unknown,          ///< no answer, an error, or bytes we do not recognise
  tls,              ///< a TLS handshake completed
  cleartext_http2,  ///< answered an HTTP/2 preface with a SETTINGS frame
  cleartext_http1,  ///< answered with "HTTP/1."
  cleartext,        ///< answered with bytes that are neither of those nor a TLS record
};

/// Sends an HTTP/2 connection preface without TLS and reads the first answer.
port_speaks probe_cleartext(const std::string& host, std::uint16_t port,
                            std::chrono::milliseconds limit);

/// The server's certificate, checked as the client checks it (system store + `ca_file`,
/// host name or IP address), from a TLS handshake made without verification.
struct certificate_check {
  bool handshake_done = false;  ///< false: the port did not complete a TLS handshake
  bool trusted = false;         ///< the chain and the name verify
  bool name_mismatch = false;   ///< the chain verifies but names another host
  std::string reason;           ///< OpenSSL's verify result, e.g. "self-signed certificate"
};
certificate_check check_certificate(const std::string& host, std::uint16_t port,
                                    const std::string& ca_file, std::chrono::milliseconds limit);

}  // namespace h2ws::cli
