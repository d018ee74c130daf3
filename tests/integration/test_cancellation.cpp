// Per-operation cancellation (Asio's cancellation slots): through the awaitable operators and
// bind_cancellation_slot, against the h2ws server. A cancelled receive loses nothing; a
// cancelled send, connect or open ends at once instead of at a timeout.
#include "tcp_relay.hpp"
#include "test_support.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using boost::system::error_code;

asio::awaitable<websocket> open_echo(const std::string& url) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = co_await connection::connect(ex, url, test_options(), asio::use_awaitable);
  auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
  co_return ws;
}

// Verifies that a receive raced against a timer with `||` returns when the timer fires, and
// that the websocket is still usable afterwards: the next message is received whole.
TEST(Cancellation, ReceiveOrTimerReturnsAtTheTimer) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    const auto t0 = std::chrono::steady_clock::now();
    auto first = co_await (ws.receive(asio::use_awaitable) || sleep_for(100ms));
    EXPECT_EQ(first.index(), 1u) << "a message arrived from nowhere";
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "the receive was not cancelled";
    EXPECT_TRUE(ws.is_open());
    co_await ws.send(message::text("after"), asio::use_awaitable);
    auto back = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(back.text(), "after");
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that receives cancelled in a race with the echo's arrival lose no message: each
// message is either what the raced receive got or what the next receive gets, in order. The
// cancellation comes after 0 to 60 scheduler turns, so it lands before, around and after
// the echo's arrival.
TEST(Cancellation, CancelledReceivesLoseNoMessage) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ws = co_await open_echo(f.url());
    int cancelled = 0, delivered = 0;
    for (int i = 0; i < 300; ++i) {
      const auto text = std::to_string(i);
      co_await ws.send(message::text(text), asio::use_awaitable);
      asio::cancellation_signal signal;
      std::optional<std::pair<error_code, message>> raced;
      ws.receive(asio::bind_cancellation_slot(
          signal.slot(), [&](error_code ec, message m) { raced.emplace(ec, std::move(m)); }));
      for (int turn = 0; turn < i % 61; ++turn) co_await asio::post(ex, asio::use_awaitable);
      if (!raced) signal.emit(asio::cancellation_type::total);
      while (!raced) co_await asio::post(ex, asio::use_awaitable);
      if (!raced->first) {
        ++delivered;
        EXPECT_EQ(raced->second.text(), text);
        continue;
      }
      EXPECT_EQ(raced->first, error::operation_aborted) << raced->first.message();
      ++cancelled;
      auto m = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(m.text(), text) << "a message was lost or reordered by a cancelled receive";
    }
    std::printf("of 300 raced receives: %d cancelled, %d delivered\n", cancelled, delivered);
    EXPECT_GT(cancelled, 0) << "no receive was cancelled: the race was never run";
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies bind_cancellation_slot with each cancellation type on a pending receive: it ends
// with operation_aborted at once, and the websocket carries on.
TEST(Cancellation, ReceiveWithCancellationSlot) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                      asio::cancellation_type::total}) {
      asio::cancellation_signal signal;
      std::optional<error_code> result;
      ws.receive(asio::bind_cancellation_slot(signal.slot(),
                                              [&](error_code ec, message) { result = ec; }));
      co_await sleep_for(20ms);
      EXPECT_FALSE(result) << "the receive completed by itself";
      signal.emit(type);
      for (int i = 0; i < 100 && !result; ++i) co_await sleep_for(5ms);
      if (!result) {
        ADD_FAILURE() << "the cancelled receive did not complete";
        co_return;
      }
      EXPECT_EQ(*result, error::operation_aborted) << result->message();
      co_await ws.send(message::text("still here"), asio::use_awaitable);
      auto back = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(back.text(), "still here");
    }
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that terminal cancellation of a send held back by flow control ends it with
// operation_aborted at once, and resets the websocket (what was half sent cannot be taken
// back); a partial cancellation is ignored.
TEST(Cancellation, TerminalCancellationOfAStuckSendAbandonsTheWebsocket) {
  server_options sopts;
  sopts.limits.stream_window = 65535;  // the server grants no more than this...
  // ...and never reads, so a large send stays stuck on flow control.
  server_fixture f(sopts, [](websocket ws) {
    auto keep = std::make_shared<websocket>(std::move(ws));
    auto timer = std::make_shared<asio::steady_timer>(keep->get_executor(), 10s);
    timer->async_wait([keep, timer](error_code) {});
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    // Complete messages the server's application never takes keep its window closed:
    // 8 x 16 KiB fill the 64 KiB window, and the last send waits behind them.
    for (int i = 0; i < 7; ++i)
      ws.send(message::binary(std::string(16 * 1024, 'x')), [](error_code) {});
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    ws.send(message::binary(std::string(16 * 1024, 'y')),
            asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { result = ec; }));
    co_await sleep_for(100ms);
    EXPECT_FALSE(result) << "the send was not held back by flow control";
    signal.emit(asio::cancellation_type::partial);
    co_await sleep_for(50ms);
    EXPECT_FALSE(result) << "partial cancellation ended a send";
    signal.emit(asio::cancellation_type::terminal);
    for (int i = 0; i < 100 && !result; ++i) co_await sleep_for(5ms);
    if (!result) {
      ADD_FAILURE() << "the cancelled send did not complete";
      co_return;
    }
    EXPECT_EQ(*result, error::operation_aborted) << result->message();
    EXPECT_FALSE(ws.is_open());
  });
}

// Verifies that a connect to a server that accepts TCP but never says a word (no SETTINGS)
// can be cancelled with `||`: it returns at the timer, long before connect_timeout.
TEST(Cancellation, ConnectToASilentServerIsCancelled) {
  server_fixture f;
  asio::ip::tcp::acceptor silent(f.context(), {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket accepted(f.context());
  silent.async_accept(accepted, [](error_code) {});
  const auto url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    const auto t0 = std::chrono::steady_clock::now();
    auto raced = co_await (connection::connect(ex, url, test_options(), asio::use_awaitable) ||
                           sleep_for(200ms));
    EXPECT_EQ(raced.index(), 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "connect was not cancelled";
    // The same with the error seen: operation_aborted.
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    connection::connect(ex, url, test_options(),
                        asio::bind_cancellation_slot(
                            signal.slot(), [&](error_code ec, connection) { result = ec; }));
    co_await sleep_for(100ms);
    signal.emit(asio::cancellation_type::terminal);
    for (int i = 0; i < 100 && !result; ++i) co_await sleep_for(5ms);
    if (!result) {
      ADD_FAILURE() << "the cancelled connect did not complete";
      co_return;
    }
    EXPECT_EQ(*result, error::operation_aborted) << result->message();
    // h2ws::connect (connect, then open) forwards the cancellation to its steps.
    const auto t1 = std::chrono::steady_clock::now();
    auto both =
        co_await (h2ws::connect(ex, url, test_options(), asio::use_awaitable) || sleep_for(200ms));
    EXPECT_EQ(both.index(), 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - t1, 2s) << "h2ws::connect was not cancelled";
  });
}

// Verifies that an open whose answer never comes (the network went silent after the
// connection was made) can be cancelled: it ends at once with operation_aborted.
TEST(Cancellation, OpenWithNoAnswerIsCancelled) {
  server_fixture f;
  tcp_relay relay(f.context(), f.srv().port());
  const auto url = "http://127.0.0.1:" + std::to_string(relay.port()) + "/echo";
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, url, test_options(), asio::use_awaitable);
    relay.freeze();
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    conn.open_websocket(
        "/echo", asio::bind_cancellation_slot(signal.slot(),
                                              [&](error_code ec, websocket) { result = ec; }));
    co_await sleep_for(100ms);
    EXPECT_FALSE(result) << "the open completed through a frozen relay";
    signal.emit(asio::cancellation_type::terminal);
    for (int i = 0; i < 100 && !result; ++i) co_await sleep_for(5ms);
    if (!result) {
      ADD_FAILURE() << "the cancelled open did not complete";
      co_return;
    }
    EXPECT_EQ(*result, error::operation_aborted) << result->message();
  });
}

}  // namespace
}  // namespace h2ws::test
