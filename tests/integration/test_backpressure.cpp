// A slow reader bounds what a fast sender can push: received DATA is only
// acknowledged (WINDOW_UPDATE) as the application consumes messages.
#include "test_support.hpp"

#include <atomic>
#include <fstream>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr std::size_t message_size = 64 * 1024;

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Verifies that a server flooding a slowly reading client cannot get more than
// the client's stream window (plus what is in flight) ahead of the reader.
TEST(Backpressure, SlowClientReaderStopsFloodingServer) {
  auto sent = std::make_shared<std::atomic<int>>(0);
  server_fixture f({}, [sent](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [sent, ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          for (int i = 0; i < 2000; ++i) {  // 128 MiB if nothing pushed back
            auto [ec] = co_await ws.send(message::binary(std::string(message_size, 'f')),
                                         asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++*sent;
          }
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.stream_window = 256 * 1024;
    auto conn = co_await connection::connect(ex, f.url(), opts, asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    const auto rss_before = resident_bytes();
    int received = 0;
    for (int i = 0; i < 20; ++i) {
      asio::steady_timer t(ex, std::chrono::milliseconds(10));
      co_await t.async_wait(asio::use_awaitable);
      auto m = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(m.size(), message_size);
      ++received;
      // What the server has handed to HTTP/2 is bounded by our window: 256 KiB
      // = 4 messages, plus one queued at the server and one being parsed.
      EXPECT_LE(*sent, received + 4 + 2) << "after " << received << " reads";
    }
    // And the flow did not stall: as we read, the window came back and the server sent on,
    // ahead of what we took (a window that never reopened would hold it at ~4 in all).
    EXPECT_GE(*sent, received + 1);
    // Without backpressure the server would have pushed 2000 x 64 KiB = 128 MiB by
    // now; with it, resident memory (client and server, one process) barely moves.
    const auto grown = resident_bytes() - std::min(resident_bytes(), rss_before);
    EXPECT_LT(grown, 16u * 1024 * 1024) << "resident memory grew by " << grown << " bytes";
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies the same rule in the server role: a client flooding a server whose
// handler reads slowly is held back by the server's window.
TEST(Backpressure, SlowServerReaderStopsFloodingClient) {
  auto consumed = std::make_shared<std::atomic<int>>(0);
  server_options sopts;
  sopts.limits.stream_window = 256 * 1024;
  server_fixture f(sopts, [consumed](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [consumed, ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          for (;;) {
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
            co_await t.async_wait(asio::use_awaitable);
            auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++*consumed;
          }
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    int sent = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < deadline && sent < 2000) {
      co_await ws.send(message::binary(std::string(message_size, 'c')), asio::use_awaitable);
      ++sent;
      EXPECT_LE(sent, *consumed + 4 + 2);
    }
    // Held back, but not stalled: the window (about 4 messages) reopened as the server
    // read, about one message per 10 ms, so the client got well past it in 300 ms.
    EXPECT_GE(sent, 10);
  });
}

// Client options whose connection window is HTTP/2's initial one (65,535 bytes).
options narrow_connection_window() {
  auto opts = test_options();
  opts.connection_window = 65535;
  return opts;
}

// `count` messages of 1,000 bytes sent on `ws` one at a time, each checked as it comes back;
// the bytes echoed.
asio::awaitable<std::size_t> echo_kilobytes(websocket& ws, int count) {
  std::size_t echoed = 0;
  for (int i = 0; i < count; ++i) {
    const std::string payload(1000, static_cast<char>('a' + i));
    co_await ws.send(message::binary(payload), asio::use_awaitable);
    auto m = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(m.text(), payload);
    echoed += m.size();
  }
  co_return echoed;
}

// Consumed bytes are given back in quanta (up to 16 KiB per stream), not per message. Many
// streams each holding less than a quantum must still not starve the connection's window:
// 8 websockets x 12 echoes of 1,000 bytes is 96 KB through a 65,535-byte connection window,
// while each stream alone stays under its quantum.
TEST(Backpressure, SmallMessagesOnManyStreamsKeepTheConnectionWindowOpen) {
  server_fixture f;
  ASSERT_TRUE(f.run(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        const auto opts = narrow_connection_window();
        auto conn = co_await connection::connect(ex, f.url(), opts, asio::use_awaitable);
        std::vector<websocket> sockets;
        for (int i = 0; i < 8; ++i)
          sockets.push_back(co_await conn.open_websocket("/echo", asio::use_awaitable));
        std::size_t echoed = 0;
        for (auto& ws : sockets) echoed += co_await echo_kilobytes(ws, 12);
        EXPECT_EQ(echoed, 96000u);
        for (auto& ws : sockets) co_await ws.close(close_code::normal, "", asio::use_awaitable);
      },
      std::chrono::seconds(10)));
}

// And a websocket that closes gives back what it held (a finished one too): the connection's window
// would otherwise shrink by that much for good. 12 websockets one after the other, 8 echoes of
// 1,000 bytes each, through a 65,535-byte connection window.
TEST(Backpressure, FinishedWebsocketsGiveTheirHeldWindowBack) {
  server_fixture f;
  ASSERT_TRUE(f.run(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        const auto opts = narrow_connection_window();
        auto conn = co_await connection::connect(ex, f.url(), opts, asio::use_awaitable);
        std::size_t echoed = 0;
        for (int w = 0; w < 12; ++w) {
          auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
          echoed += co_await echo_kilobytes(ws, 8);
          co_await ws.close(close_code::normal, "", asio::use_awaitable);
        }
        EXPECT_EQ(echoed, 96000u);
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace h2ws::test
