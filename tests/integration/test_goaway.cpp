// GOAWAY: open websockets finish, new ones go elsewhere.
#include "test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

// Verifies that after the server's GOAWAY (drain), websockets already open keep
// working until they close, and a new open on that connection fails with
// error::goaway while h2ws::connect opens a fresh connection that works.
TEST(Goaway, OpenWebsocketsFinishNewOnesFail) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    co_await ws.send(message::text("before"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "before");

    f.srv().drain();
    // A ping round trip guarantees the GOAWAY has arrived.
    co_await ws.ping("sync", asio::use_awaitable);
    EXPECT_FALSE(conn.is_open());
    auto [ec, refused] = co_await conn.open_websocket("/echo", asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::goaway) << ec.message();

    co_await ws.send(message::text("after goaway"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "after goaway");
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies the one-call helper: URL in, open websocket out, on its own connection.
TEST(Goaway, ConnectHelperOpensFreshConnection) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto a = co_await h2ws::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto b = co_await h2ws::connect(ex, f.url(), test_options(), asio::use_awaitable);
    // Both are stream 1: each helper call made its own connection.
    EXPECT_EQ(a.stream_id(), 1);
    EXPECT_EQ(b.stream_id(), 1);
    co_await a.send(message::text("a"), asio::use_awaitable);
    EXPECT_EQ((co_await a.receive(asio::use_awaitable)).text(), "a");
    auto [ec, none] = co_await h2ws::connect(ex, f.url("/nope"), test_options(),
                                             asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(none.status(), 404u);
  });
}

}  // namespace
}  // namespace h2ws::test
