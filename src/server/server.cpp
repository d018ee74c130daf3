// The listener: accepts TCP connections, tells HTTP/2 from HTTP/1.1 on each (the h2
// preface on cleartext, ALPN with TLS) and gives it to a connection of that protocol.
#include "detail/connection_impl.hpp"
#include "detail/log_sink.hpp"
#include "detail/websocket_impl.hpp"
#include "http1/h1_connection.hpp"
#include "net/executor.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "server/server_context.hpp"
#include <h2ws/server.hpp>

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>
#include <string_view>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {

namespace {

// The client connection preface of RFC 9113 3.4.
constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

}  // namespace

class server_impl : public std::enable_shared_from_this<server_impl> {
 public:
  server_impl(asio::any_io_executor ex, std::shared_ptr<server_context> ctx)
      : ex_(ex), acceptor_(ex), ctx_(std::move(ctx)) {}

  error_code listen(const std::string& host, std::uint16_t port) {
    error_code ec;
    const auto& o = ctx_->opts;
    ws::deflate_params deflate_limits;
    if ((ec = deflate_params_of(o.limits.deflate, deflate_limits))) return ec;
    // Any TLS setting means TLS: a client CA alone must not leave the server in cleartext
    // (make_server_context then says what is missing).
    if (!o.tls_cert_file.empty() || !o.tls_key_file.empty() || !o.tls_client_ca_file.empty()) {
      std::unique_ptr<asio::ssl::context> tls;
      if ((ec = net::make_server_context(o, tls))) return ec;
      tls_ = std::move(tls);
    }
    asio::ip::tcp::endpoint endpoint;
    if (auto address = asio::ip::make_address(host, ec); !ec) {
      endpoint = {address, port};
    } else {
      // A host name ("localhost"): its first address, resolved here and now.
      asio::ip::tcp::resolver resolver(ex_);
      auto results =
          resolver.resolve(host, std::to_string(port), asio::ip::resolver_base::passive, ec);
      if (ec) return ec;
      if (results.empty()) return make_error_code(asio::error::host_not_found);
      endpoint = results.begin()->endpoint();
    }
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return ec;
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (o.reuse_port) {
      const int on = 1;
      if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        return error_code(errno, boost::system::system_category());
    }
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
    std::lock_guard lock(mutex_);
    for (auto& weak : h2_connections_)
      if (auto c = weak.lock())
        asio::post(c->strand(), [c, close_websockets] { c->shutdown(close_websockets); });
    for (auto& weak : h1_connections_)
      if (auto c = weak.lock())
        asio::post(c->strand(), [c, close_websockets] { c->shutdown(close_websockets); });
    h2_connections_.clear();
    h1_connections_.clear();
  }

  void abort_connections() {
    std::lock_guard lock(mutex_);
    for (auto& weak : h2_connections_)
      if (auto c = weak.lock()) asio::post(c->strand(), [c] { c->abort(); });
    for (auto& weak : h1_connections_)
      if (auto c = weak.lock()) asio::post(c->strand(), [c] { c->abort(); });
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
      if (ctx_->opts.max_connections && live_connections() >= ctx_->opts.max_connections) {
        trace("! connection refused: max_connections reached");
        continue;  // the socket closes here
      }
      // Each connection on a serial executor of its own, on the next worker's io_context
      // (or ours): a strand where threads share that io_context, plain where one runs it.
      const auto& workers = ctx_->opts.workers;
      auto strand =
          net::make_strand(workers.empty() ? ex_ : workers[next_worker_++ % workers.size()]);
      asio::co_spawn(strand, detect(net::adopt(std::move(socket), strand), strand),
                     [self = shared_from_this()](std::exception_ptr) {});
    }
  }

  // Tells the protocol of a new connection, then hands it over.
  asio::awaitable<void> detect(net::tcp_socket socket, net::strand strand) {
    const auto limit = ctx_->opts.handshake_timeout;
    net::timer deadline(strand);
    net::tcp_socket* current = &socket;  // the TLS stream takes the socket over
    if (limit.count() > 0) {
      deadline.expires_after(limit);
      deadline.async_wait([&current](error_code ec) {
        if (!ec) current->close(ec);  // a client that never says anything: let go
      });
    }
    std::unique_ptr<net::transport> transport;
    std::vector<std::uint8_t> initial;
    bool h2 = false;
    if (tls_) {
      auto stream = std::make_unique<net::tls_stream>(std::move(socket), *tls_);
      current = &stream->next_layer();
      auto [ec] = co_await stream->async_handshake(asio::ssl::stream_base::server,
                                                   asio::as_tuple(asio::use_awaitable));
      if (ec) {
        trace("! TLS handshake with client failed: " + ec.message());
        co_return;
      }
      h2 = net::selected_alpn(*stream) == "h2";  // no ALPN at all means HTTP/1.1
      transport = std::make_unique<net::transport>(std::move(stream));
    } else {
      // Read until the bytes either are the whole h2 preface or stop matching it.
      std::uint8_t buffer[h2_preface.size()];
      std::size_t have = 0;
      while (have < h2_preface.size()) {
        auto [ec, n] = co_await socket.async_read_some(
            asio::buffer(buffer + have, sizeof buffer - have), asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        have += n;
        if (std::memcmp(buffer, h2_preface.data(), have) != 0) break;
      }
      h2 = have == h2_preface.size() && std::memcmp(buffer, h2_preface.data(), have) == 0;
      initial.assign(buffer, buffer + have);
      transport = std::make_unique<net::transport>(std::move(socket));
    }
    deadline.cancel();
    std::lock_guard lock(mutex_);
    prune();
    if (h2) {
      // One copy of the settings for all of them (under mutex_: detect() runs on each worker).
      if (!connection_options_)
        connection_options_ = connection_impl::prepared_options(ctx_->opts.limits);
      auto conn = std::make_shared<connection_impl>(strand, h2::role::server, connection_options_);
      h2_connections_.push_back(conn);
      conn->start_server(std::move(transport), std::move(initial), ctx_);
    } else {
      auto conn = std::make_shared<h1_connection>(strand, ctx_->opts.limits);
      h1_connections_.push_back(conn);
      conn->start_server(std::move(transport), std::move(initial), ctx_);
    }
  }

  void prune() {
    h2_connections_.remove_if([](const auto& w) { return w.expired(); });
    h1_connections_.remove_if([](const auto& w) { return w.expired(); });
  }

  std::size_t live_connections() {
    std::lock_guard lock(mutex_);
    prune();
    return h2_connections_.size() + h1_connections_.size();
  }

  void trace(const std::string& line) const {
    if (ctx_->opts.limits.trace) ctx_->opts.limits.trace(line);
  }

  asio::any_io_executor ex_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<server_context> ctx_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::size_t next_worker_ = 0;  // the accept loop's, alone
  std::mutex mutex_;             // the lists: the listener and each connection's strand reach them
  std::shared_ptr<const options> connection_options_;  // what every HTTP/2 connection uses
  std::list<std::weak_ptr<connection_impl>> h2_connections_;
  std::list<std::weak_ptr<h1_connection>> h1_connections_;
};

}  // namespace detail

server::server(executor_type ex, server_options opts, websocket_handler handler) {
  auto ctx = std::make_shared<detail::server_context>();
  ctx->opts = std::move(opts);
  detail::fold_log_into_trace(ctx->opts.limits);
  ctx->handler = std::move(handler);
  if (auto& hook = detail::next_server_script()) {  // a scripted server (tests only)
    ctx->script = std::move(hook->script);
    ctx->raw_handler = std::move(hook->raw_handler);
    hook.reset();
  }
  impl_ = std::make_shared<detail::server_impl>(std::move(ex), std::move(ctx));
}

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
