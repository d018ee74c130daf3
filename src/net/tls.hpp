// TLS (OpenSSL through asio::ssl): contexts for both roles, with ALPN, SNI and
// certificate verification configured the way h2ws needs them.
#pragma once

#include "net/transport.hpp"

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace h2ws {
struct server_options;
}  // namespace h2ws

namespace h2ws::net {

/// What the client offers through ALPN.
enum class alpn_offer { h2, h2_and_http1, http1 };

struct tls_client_settings {
  std::string ca_file;               // extra trust anchor (PEM); the system store is always loaded
  std::string cert_file;             // client certificate chain (PEM), with key_file; or none
  std::string key_file;              // its private key (PEM)
  bool verify = true;                // chain and host name; off only when asked (--insecure)
  alpn_offer alpn = alpn_offer::h2;  // http/1.1 only when the fallback is allowed or chosen
};

/// A client context: TLS 1.2+, system trust store (+ ca_file), verification on, the
/// client certificate when given. Fails with errc::invalid_argument when only one of
/// cert_file and key_file is given, with OpenSSL's error when a file does not load or the
/// key does not match the certificate.
boost::system::error_code make_client_context(const tls_client_settings& settings,
                                              std::unique_ptr<boost::asio::ssl::context>& out);
/// A server context from `opts`' PEM files; ALPN selects h2, else http/1.1. With
/// tls_client_ca_file, client certificates are asked for and verified against it
/// (and required with tls_require_client_cert).
boost::system::error_code make_server_context(const server_options& opts,
                                              std::unique_ptr<boost::asio::ssl::context>& out);

/// Records, on a client stream, whether the server asked for a client certificate
/// (a CertificateRequest went by). Call before the handshake; `requested` must outlive
/// it, and stop_watching_certificate_request() must run once it is over.
void watch_certificate_request(tls_stream& stream, bool& requested);
void stop_watching_certificate_request(tls_stream& stream);
/// True when the handshake's outcome for the server is still unknown to the client:
/// TLS 1.3 with a certificate requested, where the server checks our certificate only
/// after our handshake completes and refuses it with an alert on the next read.
bool server_verdict_pending(tls_stream& stream, bool certificate_requested);

/// Prepares a client stream: SNI (not for IP literals) and host-name verification.
boost::system::error_code prepare_client_stream(tls_stream& stream, const std::string& host,
                                                bool verify);
/// The protocol ALPN selected ("h2", "http/1.1" or empty).
std::string selected_alpn(tls_stream& stream);

}  // namespace h2ws::net
