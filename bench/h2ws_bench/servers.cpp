#include "servers.hpp"

#include "tcp_wire.hpp"
#include <h2ws/h2ws.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/core.h>

namespace h2ws::bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Tells the parent the port, then points stdout at /dev/null: the pipe is closed after this
// line, and a stray write must not kill the server with SIGPIPE.
void report_port(std::uint16_t port) {
  std::printf("%u\n", static_cast<unsigned>(port));
  std::fflush(stdout);
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    close(null);
  }
}

// Runs `ctx` until a signal, or until the parent that started us is gone. run() rather than a
// run_one() loop: the handler loop stays inside Asio, as cheap as it can be.
void serve_until_told(asio::io_context& ctx, const std::function<void()>& on_stop) {
  const pid_t parent = getppid();
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int) {
    if (!ec) ctx.stop();
  });
  asio::steady_timer watch(ctx);
  std::function<void()> arm = [&] {
    watch.expires_after(std::chrono::milliseconds(500));
    watch.async_wait([&](error_code ec) {
      if (ec) return;
      if (getppid() != parent) ctx.stop();
      arm();
    });
  };
  arm();
  ctx.run();
  ctx.restart();
  on_stop();
  signals.cancel();
  watch.cancel();
  ctx.run_for(std::chrono::milliseconds(100));
}

// A diagnostic echo: the next receive does not wait for the previous send to complete. The
// client bounds what is in flight, so the queue of sends stays bounded too.
asio::awaitable<void> pipelined_echo_loop(h2ws::websocket ws) {
  for (;;) {
    auto [ec, m] = co_await ws.receive(tuple_awaitable);
    if (ec) co_return;
    ws.send(std::move(m), [](error_code) {});
  }
}

void pipelined_echo(h2ws::websocket ws) {
  auto ex = ws.get_executor();
  asio::co_spawn(ex, pipelined_echo_loop(std::move(ws)), asio::detached);
}

// --- the TCP floor -----------------------------------------------------------------------------

class tcp_echo_session : public std::enable_shared_from_this<tcp_echo_session> {
 public:
  explicit tcp_echo_session(tcp::socket s) : socket_(std::move(s)) {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
  }

  static asio::awaitable<void> read_loop(std::shared_ptr<tcp_echo_session> self) {
    auto& s = *self;
    std::vector<std::uint8_t> in(256 * 1024);
    std::size_t have = 0;
    for (;;) {
      auto [ec, n] = co_await s.socket_.async_read_some(
          asio::buffer(in.data() + have, in.size() - have), tuple_awaitable);
      if (ec) break;
      have += n;
      // Echo every complete message; keep a partial one for the next read.
      std::size_t pos = 0;
      std::size_t need = 0;
      while (have - pos >= tcp_wire::header_size) {
        const std::uint32_t length = tcp_wire::read_header(in.data() + pos);
        if (length > tcp_wire::max_message_size) {
          s.drop();
          co_return;
        }
        if (have - pos - tcp_wire::header_size < length) {
          need = tcp_wire::header_size + length;
          break;
        }
        pos += tcp_wire::header_size + length;
      }
      if (pos > 0) {
        s.pending_.insert(s.pending_.end(), in.begin(),
                          in.begin() + static_cast<std::ptrdiff_t>(pos));
        std::memmove(in.data(), in.data() + pos, have - pos);
        have -= pos;
        s.start_write();
      }
      if (need > in.size()) in.resize(need);  // a message larger than the buffer
      // The client bounds what is in flight; a peer that does not read is cut off.
      if (s.pending_.size() > 256u * 1024 * 1024) break;
    }
    s.drop();
  }

 private:
  void start_write() {
    if (writing_ || pending_.empty()) return;
    writing_ = true;
    outgoing_.swap(pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(outgoing_),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->outgoing_.clear();
                        if (ec) return self->drop();
                        self->start_write();
                      });
  }

  void drop() {
    error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  std::vector<std::uint8_t> pending_;   // complete messages not yet handed to a write
  std::vector<std::uint8_t> outgoing_;  // the write in progress
  bool writing_ = false;
};

asio::awaitable<void> tcp_accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;  // EMFILE and the like: keep accepting
    }
    auto session = std::make_shared<tcp_echo_session>(std::move(socket));
    asio::co_spawn(acceptor.get_executor(), tcp_echo_session::read_loop(session),
                   [](std::exception_ptr) {});
  }
}

}  // namespace

int serve_h2ws_echo(std::uint16_t port, bool pipelined) {
  // Nothing but this thread touches it (signals come through it): no locks, as `h2ws serve
  // --threads 1` runs.
  asio::io_context ctx(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  h2ws::server_options opts;
  // Above the streams scenario's 1,000 websockets per connection, so that --count can go further.
  opts.max_concurrent_streams = 100'000;
  // No limit on connections either: --baseline tcp/h1 with --count 10000 opens one more.
  opts.max_connections = 0;
  h2ws::server server(ctx.get_executor(), opts, pipelined ? pipelined_echo : h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", port)) {
    fmt::print(stderr, "h2ws-bench server: cannot listen on 127.0.0.1:{}: {}\n", port,
               ec.message());
    return 2;
  }
  report_port(server.port());
  serve_until_told(ctx, [&] { server.stop(); });
  return 0;
}

int serve_tcp_echo(std::uint16_t port) {
  asio::io_context ctx(1);
  tcp::acceptor acceptor(ctx);
  error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    fmt::print(stderr, "h2ws-bench tcp server: cannot listen on 127.0.0.1:{}: {}\n", port,
               ec.message());
    return 2;
  }
  report_port(acceptor.local_endpoint().port());
  asio::co_spawn(ctx, tcp_accept_loop(acceptor), [](std::exception_ptr) {});
  serve_until_told(ctx, [&] {
    error_code ignored;
    acceptor.close(ignored);
  });
  return 0;
}

}  // namespace h2ws::bench
