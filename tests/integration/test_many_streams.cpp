// Many websockets share one connection, each independent.
#include "test_support.hpp"

#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

// Verifies that 100 websockets opened at once on one connection each get their
// own echoes, and that closing some leaves the others working.
TEST(ManyStreams, HundredWebsocketsOnOneConnection) {
  server_fixture f;
  f.run(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
        constexpr int count = 100;
        std::vector<websocket> sockets(count);
        int opened = 0;
        for (int i = 0; i < count; ++i) {
          conn.open_websocket("/echo", [&, i](boost::system::error_code ec, websocket ws) {
            EXPECT_FALSE(ec) << ec.message();
            sockets[i] = std::move(ws);
            ++opened;
          });
        }
        while (opened < count) {
          asio::steady_timer t(ex, std::chrono::milliseconds(5));
          co_await t.async_wait(asio::use_awaitable);
        }
        EXPECT_EQ(f.srv().open_websockets(), static_cast<std::size_t>(count));
        std::set<std::int32_t> ids;
        for (auto& ws : sockets) ids.insert(ws.stream_id());
        EXPECT_EQ(ids.size(), static_cast<std::size_t>(count));
        // Every websocket sends first, then every one reads: the echoes must not mix.
        for (int i = 0; i < count; ++i)
          co_await sockets[i].send(message::text("ws " + std::to_string(i)), asio::use_awaitable);
        for (int i = 0; i < count; ++i) {
          auto m = co_await sockets[i].receive(asio::use_awaitable);
          EXPECT_EQ(m.text(), "ws " + std::to_string(i));
        }
        for (int i = 0; i < count; i += 2)
          co_await sockets[i].close(close_code::normal, "", asio::use_awaitable);
        for (int i = 1; i < count; i += 2) {
          co_await sockets[i].send(message::text("again"), asio::use_awaitable);
          auto m = co_await sockets[i].receive(asio::use_awaitable);
          EXPECT_EQ(m.text(), "again");
        }
        EXPECT_TRUE(conn.is_open());
      },
      std::chrono::seconds(30));
}

// Verifies that a refused open does not disturb websockets already open on the
// same connection.
TEST(ManyStreams, RefusalDoesNotDisturbOpenWebsockets) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto a = co_await conn.open_websocket("/echo", asio::use_awaitable);
    auto [ec, b] = co_await conn.open_websocket("/missing", asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::refused);
    co_await a.send(message::text("x"), asio::use_awaitable);
    auto m = co_await a.receive(asio::use_awaitable);
    EXPECT_EQ(m.text(), "x");
  });
}

}  // namespace
}  // namespace h2ws::test
