// The close handshake: codes and reasons both ways, timeouts, misuse.
#include "test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<websocket> open_ws(server_fixture& f, const std::string& path = "/echo") {
  auto ex = co_await asio::this_coro::executor;
  auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
  co_return co_await conn.open_websocket(path, asio::use_awaitable);
}

// Verifies that the client's close code and reason reach the server, and that
// close() completes once the server's close frame is back.
TEST(Close, ClientCodeAndReasonReachServer) {
  std::uint16_t server_saw_code = 0;
  std::string server_saw_reason;
  boost::system::error_code server_saw_error;
  server_fixture f({}, [&](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [&, ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          auto [ec, m] = co_await ws.receive(tuple_awaitable);
          server_saw_error = ec;
          server_saw_code = ws.peer_close_code();
          server_saw_reason = ws.peer_close_reason();
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_ws(f);
    auto [ec] = co_await ws.close(close_code::going_away, "bye now", tuple_awaitable);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(ws.peer_close_code(), 1001);  // the server echoes our code
    auto [rec, m] = co_await ws.receive(tuple_awaitable);
    EXPECT_EQ(rec, error::closed);
    auto [sec] = co_await ws.send(message::text("late"), tuple_awaitable);
    EXPECT_EQ(sec, error::send_after_close);
  });
  EXPECT_EQ(server_saw_error, error::closed);
  EXPECT_EQ(server_saw_code, 1001);
  EXPECT_EQ(server_saw_reason, "bye now");
}

// Verifies that a server-initiated close with an application code reaches the
// client's receive() as error::closed with the code and reason.
TEST(Close, ServerCodeAndReasonReachClient) {
  server_fixture f({}, [](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          auto m = co_await ws.receive(asio::use_awaitable);
          co_await ws.send(std::move(m), asio::use_awaitable);
          co_await ws.close(static_cast<close_code>(4001), "custom reason", asio::use_awaitable);
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_ws(f);
    co_await ws.send(message::text("one"), asio::use_awaitable);
    auto m = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(m.text(), "one");  // messages before the close are delivered first
    auto [ec, none] = co_await ws.receive(tuple_awaitable);
    EXPECT_EQ(ec, error::closed);
    EXPECT_EQ(ws.peer_close_code(), 4001);
    EXPECT_EQ(ws.peer_close_reason(), "custom reason");
    EXPECT_FALSE(ws.is_open());
    // close() after the peer's close completes at once: the handshake is done.
    auto [cec] = co_await ws.close(close_code::normal, "", tuple_awaitable);
    EXPECT_FALSE(cec);
  });
}

// Verifies that close codes that may not be sent are refused locally.
TEST(Close, ReservedCodesAreRefused) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_ws(f);
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2000, 5000}) {
      auto [ec] = co_await ws.close(static_cast<close_code>(code), "", tuple_awaitable);
      EXPECT_EQ(ec, error::bad_close_code) << code;
    }
    EXPECT_TRUE(ws.is_open());
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that closing right after many pipelined sends loses no echo: the
// server answers our close only after its handler has taken (and echoed) every
// message that came before it, and we still receive them after our close.
TEST(Close, CloseAfterPipelinedSendsLosesNoEcho) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_ws(f);
    constexpr int count = 300;
    for (int i = 0; i < count; ++i)
      ws.send(message::text("m" + std::to_string(i)), [](boost::system::error_code) {});
    bool closed = false;
    ws.close(close_code::normal, "done", [&](boost::system::error_code ec) {
      EXPECT_FALSE(ec) << ec.message();
      closed = true;
    });
    for (int i = 0; i < count; ++i) {
      auto [ec, m] = co_await ws.receive(tuple_awaitable);
      EXPECT_FALSE(ec) << "echo " << i << " lost: " << ec.message();
      if (ec) break;
      EXPECT_EQ(m.text(), "m" + std::to_string(i));
    }
    auto [ec, none] = co_await ws.receive(tuple_awaitable);
    EXPECT_EQ(ec, error::closed);
    EXPECT_EQ(ws.peer_close_code(), 1000);
    EXPECT_TRUE(closed);
  });
}

// Verifies that dropping the last handle of an open websocket resets its stream
// (the server's receive ends with stream_reset) while the connection stays usable.
TEST(Close, DroppedHandleResetsStream) {
  boost::system::error_code server_saw;
  bool server_done = false;
  server_fixture f({}, [&](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [&, ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          auto [ec, m] = co_await ws.receive(tuple_awaitable);
          server_saw = ec;
          server_done = true;
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    {
      auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
      EXPECT_TRUE(ws.is_open());
    }  // dropped here, open
    for (int i = 0; i < 100 && !server_done; ++i) {
      asio::steady_timer t(ex, std::chrono::milliseconds(10));
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_TRUE(server_done);
    EXPECT_EQ(server_saw, error::stream_reset) << server_saw.message();
    EXPECT_TRUE(conn.is_open());
  });
}

}  // namespace
}  // namespace h2ws::test
