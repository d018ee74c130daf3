#include "net/transport.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::net {

namespace asio = boost::asio;
using boost::system::error_code;

transport::transport(tcp_socket socket) : socket_(std::make_unique<tcp_socket>(std::move(socket))) {
  error_code ignored;
  socket_->set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_->non_blocking(true, ignored);  // read_now() must never block
}

transport::transport(std::unique_ptr<tls_stream> tls, std::vector<std::uint8_t> already_read)
    : tls_(std::move(tls)), already_read_(std::move(already_read)) {
  error_code ignored;
  tls_->next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
}

transport::~transport() = default;

std::string transport::peer() const {
  error_code ec;
  const auto& socket = tls_ ? tls_->next_layer() : *socket_;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

asio::awaitable<std::size_t> transport::read_some(asio::mutable_buffer buffer, error_code& ec) {
  if (!already_read_.empty()) {
    ec = {};
    co_return take_already_read(buffer);
  }
  if (tls_)
    co_return co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return co_await socket_->async_read_some(buffer,
                                              asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> transport::write(asio::const_buffer buffer, error_code& ec) {
  if (tls_) {
    co_await asio::async_write(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(*socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  }
}

void transport::shutdown_send() {
  error_code ignored;
  auto& socket = tls_ ? tls_->next_layer() : *socket_;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void transport::close() {
  error_code ignored;
  // No close_notify round trip for TLS: the protocol above already said goodbye (GOAWAY,
  // or the websocket close).
  auto& socket = tls_ ? tls_->next_layer() : *socket_;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace h2ws::net
