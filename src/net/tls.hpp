// TLS (OpenSSL through asio::ssl): contexts for both roles, with ALPN, SNI and
// certificate verification configured the way h2ws needs them.
#pragma once

#include "net/transport.hpp"

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace h2ws::net {

/// What the client offers through ALPN.
enum class alpn_offer { h2, h2_and_http1, http1 };

struct tls_client_settings {
  std::string ca_file;               // extra trust anchor (PEM); the system store is always loaded
  bool verify = true;                // chain and host name; off only when asked (--insecure)
  alpn_offer alpn = alpn_offer::h2;  // http/1.1 only when the fallback is allowed or chosen
};

/// A client context: TLS 1.2+, system trust store (+ ca_file), verification on.
boost::system::error_code make_client_context(const tls_client_settings& settings,
                                              std::unique_ptr<boost::asio::ssl::context>& out);
/// A server context from PEM files; ALPN selects h2, else http/1.1.
boost::system::error_code make_server_context(const std::string& cert_file,
                                              const std::string& key_file,
                                              std::unique_ptr<boost::asio::ssl::context>& out);

/// Prepares a client stream: SNI (not for IP literals) and host-name verification.
boost::system::error_code prepare_client_stream(tls_stream& stream, const std::string& host,
                                                bool verify);
/// The protocol ALPN selected ("h2", "http/1.1" or empty).
std::string selected_alpn(tls_stream& stream);

}  // namespace h2ws::net
