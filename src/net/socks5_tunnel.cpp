#include "net/socks5_tunnel.hpp"

#include <h2ws/error.hpp>

#include <array>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace h2ws::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// What a SOCKS5 reply code (RFC 1928 section 6) means, as the error the application sees:
// the ones that say what happened to the target as the usual socket errors.
error_code socks5_reply_error(std::uint8_t rep) {
  switch (rep) {
    case 3:
      return asio::error::network_unreachable;
    case 4:
      return asio::error::host_unreachable;
    case 5:
      return asio::error::connection_refused;
    case 6:
      return asio::error::timed_out;
    default:  // 1 general failure, 2 not allowed by the ruleset, 7 and 8 not supported
      return make_error_code(error::proxy_refused);
  }
}

const char* socks5_reply_text(std::uint8_t rep) {
  static constexpr std::array<const char*, 9> texts = {"succeeded",
                                                       "general SOCKS server failure",
                                                       "connection not allowed by ruleset",
                                                       "network unreachable",
                                                       "host unreachable",
                                                       "connection refused",
                                                       "TTL expired",
                                                       "command not supported",
                                                       "address type not supported"};
  return rep < texts.size() ? texts[rep] : "unknown reply";
}

}  // namespace

// A SOCKS5 tunnel (RFC 1928, with RFC 1929 user/password authentication) to host:port over
// `socket`, connected to the proxy. `remote_dns` (socks5h://): the proxy resolves a host
// name; otherwise it is resolved here and the proxy gets the address.
asio::awaitable<error_code> open_socks5_tunnel(
    tcp_socket& socket, const std::string& host, std::uint16_t port, bool remote_dns,
    const std::string& credentials, const std::function<void(const std::string&)>& trace) {
  std::vector<std::uint8_t> out;
  // Greeting: no authentication, and user/password when we have them.
  if (credentials.empty()) {
    out = {5, 1, 0};
  } else {
    out = {5, 2, 0, 2};
  }
  if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), tuple_awaitable); ec)
    co_return ec;
  std::array<std::uint8_t, 2> method{};
  if (auto [ec, n] = co_await asio::async_read(socket, asio::buffer(method), tuple_awaitable); ec)
    co_return make_error_code(error::connection_lost);
  if (method[0] != 5) {
    trace("! the proxy does not answer as a SOCKS5 server");
    co_return make_error_code(error::proxy_refused);
  }
  if (method[1] == 0xff || (method[1] == 2 && credentials.empty())) {
    trace("! the SOCKS5 proxy wants credentials (socks5://user:password@host:port)");
    co_return make_error_code(error::proxy_auth_required);
  }
  if (method[1] == 2) {
    const auto colon = credentials.find(':');
    const auto user = credentials.substr(0, colon);
    const auto password =
        colon == std::string::npos ? std::string() : credentials.substr(colon + 1);
    out = {1, static_cast<std::uint8_t>(user.size())};
    out.insert(out.end(), user.begin(), user.end());
    out.push_back(static_cast<std::uint8_t>(password.size()));
    out.insert(out.end(), password.begin(), password.end());
    if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), tuple_awaitable); ec)
      co_return ec;
    std::array<std::uint8_t, 2> status{};
    if (auto [ec, n] = co_await asio::async_read(socket, asio::buffer(status), tuple_awaitable); ec)
      co_return make_error_code(error::connection_lost);
    if (status[1] != 0) {
      trace("! the SOCKS5 proxy refused the credentials");
      co_return make_error_code(error::proxy_auth_required);
    }
  } else if (method[1] != 0) {
    trace("! the SOCKS5 proxy chose an authentication method we did not offer");
    co_return make_error_code(error::proxy_refused);
  }

  // CONNECT, to a name the proxy resolves or to an address.
  out = {5, 1, 0};
  error_code aec;
  auto address = asio::ip::make_address(host, aec);
  if (aec && !remote_dns) {
    asio::ip::tcp::resolver resolver(socket.get_executor());
    auto [rec, results] =
        co_await resolver.async_resolve(host, std::to_string(port), tuple_awaitable);
    if (rec) co_return rec;
    address = results.begin()->endpoint().address();
    aec = {};
  }
  if (!aec && address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    out.push_back(1);
    out.insert(out.end(), bytes.begin(), bytes.end());
  } else if (!aec) {
    const auto bytes = address.to_v6().to_bytes();
    out.push_back(4);
    out.insert(out.end(), bytes.begin(), bytes.end());
  } else {
    if (host.size() > 255) co_return make_error_code(error::bad_url);  // one length byte
    out.push_back(3);
    out.push_back(static_cast<std::uint8_t>(host.size()));
    out.insert(out.end(), host.begin(), host.end());
  }
  out.push_back(static_cast<std::uint8_t>(port >> 8));
  out.push_back(static_cast<std::uint8_t>(port & 0xff));
  trace("* SOCKS5 CONNECT " + (aec ? host + " (resolved by the proxy)" : address.to_string()) +
        ":" + std::to_string(port));
  if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), tuple_awaitable); ec)
    co_return ec;
  // The reply: VER REP RSV ATYP, then the bound address and port, read exactly (what
  // follows belongs to TLS or HTTP/2).
  std::array<std::uint8_t, 4> head{};
  if (auto [ec, n] = co_await asio::async_read(socket, asio::buffer(head), tuple_awaitable); ec)
    co_return make_error_code(error::connection_lost);
  if (head[0] != 5) co_return make_error_code(error::proxy_refused);
  if (head[1] != 0) {
    trace("! SOCKS5 proxy: " + std::string(socks5_reply_text(head[1])) + " (reply " +
          std::to_string(head[1]) + ")");
    co_return socks5_reply_error(head[1]);
  }
  std::size_t rest = 0;
  if (head[3] == 1) {
    rest = 4 + 2;
  } else if (head[3] == 4) {
    rest = 16 + 2;
  } else if (head[3] == 3) {
    std::uint8_t len = 0;
    if (auto [ec, n] = co_await asio::async_read(socket, asio::buffer(&len, 1), tuple_awaitable);
        ec)
      co_return make_error_code(error::connection_lost);
    rest = std::size_t{len} + 2;
  } else {
    co_return make_error_code(error::proxy_refused);
  }
  std::array<std::uint8_t, 257> bound{};
  if (auto [ec, n] =
          co_await asio::async_read(socket, asio::buffer(bound.data(), rest), tuple_awaitable);
      ec)
    co_return make_error_code(error::connection_lost);
  co_return error_code{};
}

}  // namespace h2ws::net
