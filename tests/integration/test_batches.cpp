// receive_batch() and send_batch(): many messages per completion, against the project's own
// echo server (whose echo uses both), over HTTP/2 and over HTTP/1.1.
#include "test_support.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<websocket> open_echo(const std::string& url, bool http1) {
  auto ex = co_await asio::this_coro::executor;
  auto opts = test_options();
  opts.force_http1 = http1;
  auto ws = co_await h2ws::connect(ex, url, opts, asio::use_awaitable);
  EXPECT_EQ(ws.http_version(), http1 ? 1 : 2);
  co_return ws;
}

std::vector<message> numbered(int from, int count) {
  std::vector<message> batch;
  for (int i = from; i < from + count; ++i) batch.push_back(message::text(std::to_string(i)));
  return batch;
}

class Batches : public ::testing::TestWithParam<bool> {};

// Verifies that a batch of sends goes out whole and in order with one completion, which
// hands the vector back empty with its capacity; and that receive_batch() hands over the
// echoes in order, never more than its maximum, several at once once they have arrived.
TEST_P(Batches, SendBatchAndReceiveBatchCarryEveryMessageInOrder) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url(), GetParam());
    auto [ec, emptied] = co_await ws.send_batch(numbered(0, 100), tuple_awaitable);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(emptied.empty());
    EXPECT_GE(emptied.capacity(), 100u) << "the batch's storage was not handed back";
    co_await sleep_for(100ms);  // every echo is in by now (loopback)
    std::vector<message> storage;
    int next = 0;
    std::size_t largest = 0;
    while (next < 100) {
      auto [rec, batch] = co_await ws.receive_batch(std::move(storage), 16, tuple_awaitable);
      EXPECT_FALSE(rec) << rec.message();
      if (rec) break;
      EXPECT_GE(batch.size(), 1u);
      EXPECT_LE(batch.size(), 16u) << "more than the maximum";
      largest = std::max(largest, batch.size());
      for (const auto& m : batch) EXPECT_EQ(m.text(), std::to_string(next++));
      storage = std::move(batch);
    }
    EXPECT_EQ(next, 100);
    EXPECT_EQ(largest, 16u) << "messages that had all arrived came one batch per message";
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that an empty batch completes at once without error, and that a maximum of 0
// takes one message.
TEST_P(Batches, EmptySendBatchAndZeroMaximum) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url(), GetParam());
    auto [ec, emptied] = co_await ws.send_batch(std::vector<message>{}, tuple_awaitable);
    EXPECT_FALSE(ec) << ec.message();
    co_await ws.send_batch(numbered(0, 2), asio::use_awaitable);
    co_await sleep_for(50ms);
    auto first = co_await ws.receive_batch({}, 0, asio::use_awaitable);
    EXPECT_EQ(first.size(), 1u);
    if (!first.empty()) {
      EXPECT_EQ(first[0].text(), "0");
    }
    auto second = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(second.text(), "1");
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that receive() and receive_batch() share the one outstanding receive.
TEST_P(Batches, OneReceiveOfEitherKindAtATime) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url(), GetParam());
    std::optional<std::pair<error_code, std::vector<message>>> batch;
    ws.receive_batch(
        {}, 8, [&](error_code ec, std::vector<message> b) { batch.emplace(ec, std::move(b)); });
    auto [ec, m] = co_await ws.receive(tuple_awaitable);
    EXPECT_EQ(ec, asio::error::already_started);
    auto [bec, b] = co_await ws.receive_batch({}, 8, tuple_awaitable);
    EXPECT_EQ(bec, asio::error::already_started);
    EXPECT_TRUE(b.empty());
    co_await ws.send(message::text("x"), asio::use_awaitable);
    for (int i = 0; i < 200 && !batch; ++i) co_await sleep_for(5ms);
    EXPECT_TRUE(batch);
    if (batch) {
      EXPECT_FALSE(batch->first);
      EXPECT_EQ(batch->second.size(), 1u);
      if (!batch->second.empty()) {
        EXPECT_EQ(batch->second[0].text(), "x");
      }
    }
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a cancelled receive_batch() completes with operation_aborted and an empty
// vector, and loses nothing: the next one gets the message.
TEST_P(Batches, CancelledReceiveBatchLosesNothing) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url(), GetParam());
    asio::cancellation_signal signal;
    std::optional<std::pair<error_code, std::vector<message>>> result;
    ws.receive_batch(
        {}, 8,
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, std::vector<message> b) {
          result.emplace(ec, std::move(b));
        }));
    co_await sleep_for(20ms);
    EXPECT_FALSE(result) << "the receive completed by itself";
    signal.emit(asio::cancellation_type::total);
    for (int i = 0; i < 100 && !result; ++i) co_await sleep_for(5ms);
    EXPECT_TRUE(result);
    if (result) {
      EXPECT_EQ(result->first, error::operation_aborted) << result->first.message();
      EXPECT_TRUE(result->second.empty());
    }
    co_await ws.send(message::text("after"), asio::use_awaitable);
    auto batch = co_await ws.receive_batch({}, 8, asio::use_awaitable);
    EXPECT_EQ(batch.size(), 1u);
    if (!batch.empty()) {
      EXPECT_EQ(batch[0].text(), "after");
    }
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies the ends: after the peer's close, receive_batch() hands over what came before it,
// then error::closed with an empty vector; after our close, send_batch() fails and queues
// nothing.
TEST_P(Batches, CloseEndsBothKindsOfBatch) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url(), GetParam());
    co_await ws.send_batch(numbered(0, 3), asio::use_awaitable);
    co_await ws.close(close_code::normal, "bye", asio::use_awaitable);
    auto [sec, emptied] = co_await ws.send_batch(numbered(3, 2), tuple_awaitable);
    EXPECT_TRUE(sec) << "a batch sent after close went";
    EXPECT_TRUE(emptied.empty());
    int got = 0;
    for (int i = 0; i < 10; ++i) {
      auto [ec, batch] = co_await ws.receive_batch({}, 100, tuple_awaitable);
      if (ec) {
        EXPECT_EQ(ec, error::closed) << ec.message();
        EXPECT_TRUE(batch.empty());
        break;
      }
      for (const auto& m : batch) EXPECT_EQ(m.text(), std::to_string(got++));
    }
    EXPECT_EQ(got, 3) << "echoes that came before the close were lost";
  });
}

INSTANTIATE_TEST_SUITE_P(Carriers, Batches, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Http1") : std::string("Http2");
                         });

}  // namespace
}  // namespace h2ws::test
