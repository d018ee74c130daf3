// An HTTP/1.1 CONNECT tunnel through a proxy (RFC 9110 9.3.6): what runs
// before TLS and HTTP/2 when options::proxy is set.
#pragma once

#include "net/executor.hpp"

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::net {

/// Asks the proxy on `socket` for a tunnel to host:port. `credentials` is
/// "user:password" for Basic authentication, or empty. On success the socket
/// carries the tunnel. Errors: error::proxy_auth_required (407),
/// error::proxy_refused (any other non-2xx; `status` tells which), or the
/// socket's error. `status` is 0 when no answer came.
boost::asio::awaitable<boost::system::error_code> open_tunnel(tcp_socket& socket,
                                                              const std::string& host,
                                                              std::uint16_t port,
                                                              const std::string& credentials,
                                                              unsigned& status);

}  // namespace h2ws::net
