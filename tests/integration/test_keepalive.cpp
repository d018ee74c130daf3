// Keepalive: a connection whose network goes silent is declared dead.
#include "test_support.hpp"

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

using asio::ip::tcp;

// A TCP relay that can stop forwarding without closing anything: a black hole,
// as when a NAT or a proxy silently forgets the connection.
class freezable_relay {
 public:
  freezable_relay(asio::io_context& ctx, std::uint16_t target)
      : ctx_(ctx), acceptor_(ctx, {asio::ip::make_address("127.0.0.1"), 0}), target_(target) {
    asio::co_spawn(ctx_, accept_loop(), asio::detached);
  }
  ~freezable_relay() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& s : sockets_) s->close(ec);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void freeze() { frozen_ = true; }

 private:
  asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::vector<char> buf(64 * 1024);
    for (;;) {
      auto [ec, n] =
          co_await from->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      if (frozen_) continue;  // swallowed
      auto [wec, w] = co_await asio::async_write(*to, asio::buffer(buf.data(), n),
                                                 asio::as_tuple(asio::use_awaitable));
      if (wec) co_return;
    }
  }
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto client = std::make_shared<tcp::socket>(std::move(s));
      auto server = std::make_shared<tcp::socket>(ctx_);
      auto [cec] = co_await server->async_connect({asio::ip::make_address("127.0.0.1"), target_},
                                                  asio::as_tuple(asio::use_awaitable));
      if (cec) continue;
      sockets_.push_back(client);
      sockets_.push_back(server);
      asio::co_spawn(ctx_, pump(client, server), asio::detached);
      asio::co_spawn(ctx_, pump(server, client), asio::detached);
    }
  }
  asio::io_context& ctx_;
  tcp::acceptor acceptor_;
  std::uint16_t target_;
  bool frozen_ = false;
  std::list<std::shared_ptr<tcp::socket>> sockets_;
};

// Verifies that with keepalive on, a network that goes silent under an idle
// websocket fails the pending receive with error::timeout after about
// ping_interval + ping_timeout, instead of hanging forever.
TEST(Keepalive, SilentNetworkIsDetected) {
  server_fixture f;
  freezable_relay relay(f.context(), f.srv().port());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.ping_interval = std::chrono::milliseconds(100);
    opts.ping_timeout = std::chrono::milliseconds(300);
    auto url = "ws://127.0.0.1:" + std::to_string(relay.port()) + "/echo";
    auto conn = co_await connection::connect(ex, url, opts, asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    // Pings flow while the network works: the idle websocket stays open.
    asio::steady_timer idle(ex, std::chrono::milliseconds(500));
    co_await idle.async_wait(asio::use_awaitable);
    EXPECT_TRUE(ws.is_open());
    co_await ws.send(message::text("alive"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "alive");

    relay.freeze();
    auto start = std::chrono::steady_clock::now();
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(ec, error::timeout) << ec.message();
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_FALSE(conn.is_open());
  });
}

}  // namespace
}  // namespace h2ws::test
