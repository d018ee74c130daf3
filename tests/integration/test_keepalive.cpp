// Keepalive: a connection whose network goes silent is declared dead.
#include "tcp_relay.hpp"
#include "test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

// Verifies that with keepalive on, a network that goes silent under an idle
// websocket fails the pending receive with error::timeout after about
// ping_interval + ping_timeout, instead of hanging forever.
TEST(Keepalive, SilentNetworkIsDetected) {
  server_fixture f;
  tcp_relay relay(f.context(), f.srv().port());
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
