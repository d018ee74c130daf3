// The listener: accepts TCP connections and gives each to a server-role connection_impl.
#include "detail/connection_impl.hpp"
#include "net/tls.hpp"
#include "server/server_context.hpp"
#include <h2ws/server.hpp>

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {

class server_impl : public std::enable_shared_from_this<server_impl> {
 public:
  server_impl(asio::any_io_executor ex, std::shared_ptr<server_context> ctx)
      : ex_(ex), acceptor_(ex), ctx_(std::move(ctx)) {}

  error_code listen(const std::string& host, std::uint16_t port) {
    error_code ec;
    const auto& o = ctx_->opts;
    if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
      std::unique_ptr<asio::ssl::context> tls;
      if ((ec = net::make_server_context(o.tls_cert_file, o.tls_key_file, tls))) return ec;
      tls_ = std::move(tls);
    }
    auto address = asio::ip::make_address(host, ec);
    if (ec) return ec;
    asio::ip::tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return ec;
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return ec;
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    asio::co_spawn(ex_, accept_loop(), [self = shared_from_this()](std::exception_ptr) {});
    return {};
  }

  std::uint16_t port() const {
    error_code ec;
    auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
  }

  void stop(bool close_websockets) {
    error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : connections_) {
      if (auto c = weak.lock())
        asio::post(c->strand(), [c, close_websockets] { c->shutdown(close_websockets); });
    }
    connections_.clear();
  }

  void abort_connections() {
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) asio::post(c->strand(), [c] { c->abort(); });
    }
  }

  std::size_t open_websockets() const { return ctx_->open_websockets.load(); }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      connections_.remove_if([](const auto& w) { return w.expired(); });
      auto conn = std::make_shared<connection_impl>(ex_, h2::role::server, ctx_->opts.limits);
      connections_.push_back(conn);
      asio::post(conn->strand(), [conn, ctx = ctx_, tls = tls_, s = std::move(socket)]() mutable {
        conn->start_server(net::adopt(std::move(s), conn->strand()), ctx, tls);
      });
    }
  }

  asio::any_io_executor ex_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<server_context> ctx_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::list<std::weak_ptr<connection_impl>> connections_;
};

}  // namespace detail

server::server(executor_type ex, server_options opts, websocket_handler handler) {
  auto ctx = std::make_shared<detail::server_context>();
  ctx->opts = std::move(opts);
  ctx->handler = std::move(handler);
  impl_ = std::make_shared<detail::server_impl>(std::move(ex), std::move(ctx));
}

server::server(executor_type ex, std::shared_ptr<detail::server_context> ctx)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(ctx))) {}

server::~server() { impl_->stop(true); }

error_code server::listen(const std::string& host, std::uint16_t port) {
  return impl_->listen(host, port);
}

std::uint16_t server::port() const { return impl_->port(); }
void server::stop() { impl_->stop(true); }
void server::drain() { impl_->stop(false); }
void server::abort_connections() { impl_->abort_connections(); }
std::size_t server::open_websockets() const { return impl_->open_websockets(); }

}  // namespace h2ws
