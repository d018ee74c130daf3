#include "net/proxy_tunnel.hpp"

#include "http1/upgrade.hpp"
#include <h2ws/error.hpp>

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/evp.h>

namespace h2ws::net {

namespace asio = boost::asio;
using boost::system::error_code;

asio::awaitable<error_code> open_tunnel(tcp_socket& socket, const std::string& host,
                                        std::uint16_t port, const std::string& credentials,
                                        unsigned& status) {
  status = 0;
  // IPv6 literals need brackets in the authority.
  auto authority =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (!credentials.empty()) {
    std::string encoded(4 * ((credentials.size() + 2) / 3), '\0');
    auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                             reinterpret_cast<const unsigned char*>(credentials.data()),
                             static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(n));
    request += "Proxy-Authorization: Basic " + encoded + "\r\n";
  }
  request += "\r\n";
  auto [wec, written] = co_await asio::async_write(socket, asio::buffer(request),
                                                   asio::as_tuple(asio::use_awaitable));
  if (wec) co_return wec;

  // Read the answer's head one byte at a time: nothing after it may be consumed,
  // since the tunnel's first bytes (TLS, HTTP/2) belong to the next layer.
  http1::response_reader reader;
  std::uint8_t byte = 0;
  for (std::size_t i = 0; i < 64 * 1024 && !reader.done(); ++i) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1),
                                                    asio::as_tuple(asio::use_awaitable));
    if (rec) co_return make_error_code(error::connection_lost);
    error_code perr;
    reader.put({&byte, n}, perr);
    if (perr) co_return make_error_code(error::proxy_refused);
  }
  if (!reader.done()) co_return make_error_code(error::proxy_refused);
  status = reader.status();
  if (status == 407) co_return make_error_code(error::proxy_auth_required);
  if (status < 200 || status > 299) co_return make_error_code(error::proxy_refused);
  co_return error_code{};
}

}  // namespace h2ws::net
