// A SOCKS5 tunnel (RFC 1928, RFC 1929 user/password): what runs before TLS and HTTP/2
// when options::proxy is a socks5:// or socks5h:// URL.
#pragma once

#include "net/executor.hpp"

#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::net {

/// Asks the SOCKS5 proxy on `socket` for a tunnel to host:port. `remote_dns` (socks5h://):
/// the proxy resolves a host name; otherwise it is resolved here. `credentials` is
/// "user:password" or empty. Errors: error::proxy_auth_required, error::proxy_refused,
/// socket errors for the proxy's network/host unreachable, refused and TTL replies.
boost::asio::awaitable<boost::system::error_code> open_socks5_tunnel(
    tcp_socket& socket, const std::string& host, std::uint16_t port, bool remote_dns,
    const std::string& credentials, const std::function<void(const std::string&)>& trace);

}  // namespace h2ws::net
