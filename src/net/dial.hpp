// Resolve, TCP connect and (for wss/https) the TLS handshake: the part of
// opening a connection that HTTP/2 and the HTTP/1.1 fallback share.
#pragma once

#include "net/executor.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "net/url.hpp"
#include <h2ws/options.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace h2ws::net {

struct dial_settings {
  std::string ca_file;
  /// Client certificate and key (PEM), both or neither.
  std::string cert_file;
  std::string key_file;
  bool verify = true;
  /// The caller's own TLS context (options::ssl_context): used as it is; then ca_file,
  /// cert_file and key_file must be empty.
  std::shared_ptr<boost::asio::ssl::context> context;
  /// ALPN offer: h2, h2 then http/1.1 (fallback allowed), or http/1.1 (the fallback itself).
  alpn_offer protocols = alpn_offer::h2;
  std::function<void(std::string_view)> trace;
  /// "http://[user:password@]host:port" to tunnel through, or empty.
  std::string proxy;
};

/// Copies the TLS part of `opts` (ca_file, insecure, cert_file, key_file, ssl_context).
void set_tls_options(dial_settings& settings, const options& opts);

struct dial_result {
  std::unique_ptr<transport> stream;
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // must outlive `stream`
  std::string alpn;                                        // what TLS selected; empty for TCP
};

/// Opens the byte stream to `url`. While it runs, `*in_progress` points at the
/// socket being connected or handshaken, so a deadline can close it.
boost::asio::awaitable<boost::system::error_code> dial(const strand& ex, const parsed_url& url,
                                                       const dial_settings& settings,
                                                       dial_result& out, tcp_socket** in_progress);

}  // namespace h2ws::net
