// reconnecting_websocket against real servers that die, restart, go away and refuse.
#include "test_support.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

using boost::system::error_code;
using namespace std::chrono_literals;

// Counts every message a server's websockets receive, by payload; echoes each one.
struct counting_handler {
  std::shared_ptr<std::map<std::string, int>> received =
      std::make_shared<std::map<std::string, int>>();

  server::websocket_handler handler() const {
    return [received = received](websocket ws) {
      auto ex = ws.get_executor();
      asio::co_spawn(
          ex,
          [received, ws = std::move(ws)]() mutable -> asio::awaitable<void> {
            // After a crash the messages already read are still delivered, then the error:
            // every message the server's websocket layer read is counted.
            for (;;) {
              auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
              if (ec) break;
              ++(*received)[std::string(m.text())];
              co_await ws.send(std::move(m), asio::as_tuple(asio::use_awaitable));
            }
          },
          asio::detached);
    };
  }
};

reconnect_options fast_retries() {
  reconnect_options r;
  r.initial_delay = 20ms;
  r.max_delay = 200ms;
  return r;
}

// Verifies the headline guarantee: the server process state dies (connections aborted
// as by a crash, listener closed) and a new server starts on the same port; the client
// reconnects on its own, and every message whose send completed without error was
// counted by a server, at most once. Sends that were in flight at the crash report
// error::message_not_sent; sends made while down wait and go out after the reconnect.
TEST(Reconnect, ResumesAfterServerCrashAndRestart) {
  counting_handler counter;
  server_fixture f({}, counter.handler());
  f.run(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto port = f.srv().port();
        std::vector<reconnect_event::kind> events;
        auto ropts = fast_retries();
        ropts.on_event = [&](const reconnect_event& e) { events.push_back(e.what); };
        reconnecting_websocket rws(ex, f.url(), test_options(), ropts);
        error_code run_result = make_error_code(error::timeout);
        bool run_done = false;
        rws.run([&](error_code ec) {
          run_result = ec;
          run_done = true;
        });
        // The echoes are read (and dropped) all along, so the server never blocks.
        asio::co_spawn(
            ex,
            [&]() -> asio::awaitable<void> {
              for (;;) {
                auto [ec, m] = co_await rws.receive(asio::as_tuple(asio::use_awaitable));
                if (ec) co_return;
              }
            },
            asio::detached);

        constexpr int total = 600;
        std::map<std::string, error_code> results;
        std::unique_ptr<server> successor;
        for (int i = 0; i < total; ++i) {
          auto text = "m" + std::to_string(i);
          rws.send(message::text(text), [&results, text](error_code ec) { results[text] = ec; });
          if (i == 200) {
            f.srv().abort_connections();  // a crash: transports closed, nothing flushed
            f.srv().drain();
          }
          if (i == 300) {
            successor = std::make_unique<server>(ex, server_options{}, counter.handler());
            EXPECT_FALSE(successor->listen("127.0.0.1", port));
          }
          co_await sleep_for(1ms);
        }
        for (int i = 0; i < 500 && results.size() < total; ++i) co_await sleep_for(10ms);
        EXPECT_EQ(results.size(), static_cast<std::size_t>(total)) << "sends never completed";
        co_await rws.close(close_code::normal, "done", asio::use_awaitable);
        for (int i = 0; i < 100 && !run_done; ++i) co_await sleep_for(10ms);
        EXPECT_TRUE(run_done);
        EXPECT_FALSE(run_result) << run_result.message();

        int confirmed = 0, not_sent = 0;
        for (auto& [text, ec] : results) {
          auto arrived = counter.received->count(text) ? counter.received->at(text) : 0;
          EXPECT_LE(arrived, 1) << text << " arrived twice";
          if (!ec) {
            ++confirmed;
            EXPECT_EQ(arrived, 1) << text << " was reported sent but never arrived";
          } else {
            ++not_sent;
            EXPECT_EQ(ec, error::message_not_sent) << text << ": " << ec.message();
          }
        }
        EXPECT_GT(confirmed, 300) << "messages after the restart were not sent";
        std::printf("%d confirmed, %d reported not sent, %zu arrived at the servers\n", confirmed,
                    not_sent, counter.received->size());
        EXPECT_EQ(rws.connections(), 2u);
        EXPECT_EQ(std::count(events.begin(), events.end(), reconnect_event::kind::lost), 1);
        EXPECT_EQ(std::count(events.begin(), events.end(), reconnect_event::kind::connected), 2);
        EXPECT_GE(std::count(events.begin(), events.end(), reconnect_event::kind::attempt_failed),
                  1)
            << "the server was down for 100 ms: some attempt must have failed";
        successor->stop();
      },
      30s);
}

// Verifies that a server closing with 1001 (going away, as `stop()` does) is a loss: the
// client comes back to the next server, and the `connected` event runs before the messages
// queued meanwhile, so a resubscription goes first.
TEST(Reconnect, GoingAwayReconnectsAndResubscribesFirst) {
  counting_handler counter;
  server_fixture f({}, counter.handler());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto port = f.srv().port();
    reconnecting_websocket* self = nullptr;
    std::vector<std::string> log;
    auto ropts = fast_retries();
    ropts.on_event = [&](const reconnect_event& e) {
      if (e.what != reconnect_event::kind::connected) return;
      EXPECT_NE(e.ws, nullptr);
      EXPECT_EQ(e.ws->http_version(), 2);
      self->send(message::text("subscribe"), [](error_code) {});
    };
    reconnecting_websocket rws(ex, f.url(), test_options(), ropts);
    self = &rws;
    rws.run([](error_code) {});
    EXPECT_EQ((co_await rws.receive(asio::use_awaitable)).text(), "subscribe");

    f.srv().stop();  // every websocket closed with 1001
    for (int i = 0; i < 100 && rws.is_connected(); ++i) co_await sleep_for(5ms);
    EXPECT_FALSE(rws.is_connected());
    rws.send(message::text("queued while down"), [](error_code) {});
    server successor(ex, server_options{}, counter.handler());
    EXPECT_FALSE(successor.listen("127.0.0.1", port));
    EXPECT_EQ((co_await rws.receive(asio::use_awaitable)).text(), "subscribe");
    EXPECT_EQ((co_await rws.receive(asio::use_awaitable)).text(), "queued while down");
    EXPECT_EQ(rws.peer_close_code(), 1001);
    EXPECT_EQ(rws.connections(), 2u);
    co_await rws.close(close_code::normal, "", asio::use_awaitable);
    successor.stop();
  });
}

// Verifies that close() right after a burst of sends waits for their confirmation: every
// send completes without error and the server counted each message.
TEST(Reconnect, CloseWaitsForConfirmations) {
  counting_handler counter;
  server_fixture f({}, counter.handler());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    reconnecting_websocket rws(ex, f.url(), test_options(), fast_retries());
    rws.run([](error_code) {});
    co_await rws.send(message::text("connected"), asio::use_awaitable);
    std::vector<error_code> results;
    for (int i = 0; i < 50; ++i)
      rws.send(message::text("burst " + std::to_string(i)),
               [&](error_code ec) { results.push_back(ec); });
    // Echoes are not read: the server's answers wait in its window, the close still works.
    co_await rws.close(close_code::normal, "", asio::use_awaitable);
    co_await sleep_for(10ms);
    EXPECT_EQ(results.size(), 50u);
    for (auto& ec : results) EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(counter.received->size(), 51u);
  });
}

// Verifies that a normal close from the server (1000) ends it for good: no reconnection,
// run() and receive() report error::closed.
TEST(Reconnect, NormalCloseFromServerIsFinal) {
  // Echoes one message, then closes normally after the next one.
  server_fixture f({}, [](websocket ws) {
    auto ex = ws.get_executor();
    asio::co_spawn(
        ex,
        [ws = std::move(ws)]() mutable -> asio::awaitable<void> {
          auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
          co_await ws.send(std::move(m), asio::as_tuple(asio::use_awaitable));
          co_await ws.receive(asio::as_tuple(asio::use_awaitable));
          co_await ws.close(close_code::normal, "bye", asio::as_tuple(asio::use_awaitable));
        },
        asio::detached);
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    reconnecting_websocket rws(ex, f.url(), test_options(), fast_retries());
    error_code run_result;
    bool run_done = false;
    rws.run([&](error_code ec) {
      run_result = ec;
      run_done = true;
    });
    co_await rws.send(message::text("hello"), asio::use_awaitable);
    EXPECT_EQ((co_await rws.receive(asio::use_awaitable)).text(), "hello");
    // Sent as the server closes: confirmed or not, never resent.
    rws.send(message::text("please close"), [](error_code) {});
    auto [ec, m] = co_await rws.receive(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::closed);
    for (int i = 0; i < 100 && !run_done; ++i) co_await sleep_for(5ms);
    EXPECT_EQ(run_result, error::closed);
    EXPECT_EQ(rws.peer_close_code(), 1000);
    EXPECT_EQ(rws.connections(), 1u);
    auto [sec] = co_await rws.send(message::text("late"), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(sec, error::closed);
  });
}

// Verifies that a refusal another attempt would not change (404) ends it at once.
TEST(Reconnect, NotFoundIsFinal) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    std::vector<reconnect_event> events;
    auto ropts = fast_retries();
    ropts.on_event = [&](const reconnect_event& e) { events.push_back(e); };
    reconnecting_websocket rws(ex, f.url("/nope"), test_options(), ropts);
    auto [ec] = co_await rws.run(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(events.size(), 1u);
    EXPECT_TRUE(!events.empty() && events[0].what == reconnect_event::kind::gave_up);
  });
}

// Verifies backoff and giving up against a port where nothing listens: max_attempts
// failures in a row end run() with error::gave_up, with growing delays; queued sends
// then fail with error::message_not_sent; with queueing off a send fails at once.
TEST(Reconnect, GivesUpAfterMaxAttempts) {
  server_fixture f;
  auto port = f.srv().port();
  f.srv().stop();
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto url = "http://127.0.0.1:" + std::to_string(port) + "/echo";
    std::vector<reconnect_event> events;
    auto ropts = fast_retries();
    ropts.jitter = 0;
    ropts.max_attempts = 4;
    ropts.on_event = [&](const reconnect_event& e) { events.push_back(e); };
    reconnecting_websocket rws(ex, url, test_options(), ropts);
    error_code queued_result;
    rws.send(message::text("never"), [&](error_code ec) { queued_result = ec; });
    auto ec = co_await rws.run(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(std::get<0>(ec), error::gave_up);
    EXPECT_EQ(events.size(), 4u);
    if (events.size() != 4u) co_return;
    EXPECT_EQ(events[0].delay, duration(20ms));
    EXPECT_EQ(events[1].delay, duration(40ms));
    EXPECT_EQ(events[2].delay, duration(80ms));
    EXPECT_EQ(events[3].what, reconnect_event::kind::gave_up);
    EXPECT_EQ(events[3].attempt, 4u);
    co_await sleep_for(5ms);
    EXPECT_EQ(queued_result, error::message_not_sent);

    auto fail_fast = fast_retries();
    fail_fast.queue_while_disconnected = false;
    reconnecting_websocket impatient(ex, url, test_options(), fail_fast);
    impatient.run([](error_code) {});
    auto [sec] = co_await impatient.send(message::text("now"), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(sec, error::disconnected);
    co_await impatient.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies the bounds of the queue kept while disconnected: beyond max_queued_messages a
// send fails with error::send_queue_full, and a message queued longer than max_queue_time
// fails with error::timeout.
TEST(Reconnect, QueueWhileDisconnectedIsBounded) {
  server_fixture f;
  auto port = f.srv().port();
  f.srv().stop();
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ropts = fast_retries();
    ropts.max_queued_messages = 2;
    ropts.max_queue_time = 100ms;
    reconnecting_websocket rws(ex, "http://127.0.0.1:" + std::to_string(port) + "/echo",
                               websocket_request{}, test_options(), ropts);
    rws.run([](error_code) {});
    std::vector<error_code> results(3, make_error_code(error::closed));
    std::vector<bool> done(3, false);
    for (int i = 0; i < 3; ++i)
      rws.send(message::text("q"), [&, i](error_code ec) {
        results[i] = ec;
        done[i] = true;
      });
    co_await sleep_for(20ms);
    EXPECT_TRUE(done[2]);
    EXPECT_EQ(results[2], error::send_queue_full);
    EXPECT_FALSE(done[0]) << "a queued message failed before max_queue_time";
    for (int i = 0; i < 100 && !done[1]; ++i) co_await sleep_for(5ms);
    EXPECT_EQ(results[0], error::timeout);
    EXPECT_EQ(results[1], error::timeout);
    co_await rws.close(close_code::normal, "", asio::use_awaitable);
  });
}

}  // namespace
}  // namespace h2ws::test
