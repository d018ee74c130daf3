// options::log: the logging hook with levels, against the h2ws server.
#include "test_support.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

struct log_recorder {
  std::vector<std::pair<log_level, std::string>> records;
  std::function<void(log_level, std::string_view)> sink() {
    return [this](log_level level, std::string_view line) { records.emplace_back(level, line); };
  }
  bool has(log_level level, std::string_view text) const {
    for (const auto& [l, line] : records)
      if (l == level && line.find(text) != std::string::npos) return true;
    return false;
  }
  bool any_at(log_level level) const {
    for (const auto& [l, line] : records)
      if (l == level) return true;
    return false;
  }
};

asio::awaitable<void> echo_once(server_fixture& f, options opts) {
  auto ex = co_await asio::this_coro::executor;
  auto ws = co_await h2ws::connect(ex, f.url(), std::move(opts), asio::use_awaitable);
  co_await ws.send(message::text("hello"), asio::use_awaitable);
  auto back = co_await ws.receive(asio::use_awaitable);
  EXPECT_EQ(back.text(), "hello");
  co_await ws.close(close_code::normal, "", asio::use_awaitable);
}

// Verifies that a log at info gets the library's decisions and nothing of the frames.
TEST(Logging, InfoGetsDecisionsNotFrames) {
  log_recorder log;  // outlives the fixture, whose teardown may still log
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto opts = test_options();
    opts.log = log.sink();
    co_await echo_once(f, opts);
  });
  EXPECT_TRUE(log.has(log_level::info, "server supports RFC 8441"));
  EXPECT_FALSE(log.any_at(log_level::debug)) << "a debug line reached a log at info";
}

// Verifies that a log at debug gets the HTTP/2 frames and the websocket messages with their
// sizes, each with level debug, while a trace set beside it gets every line too.
TEST(Logging, DebugGetsFramesAndTraceStillGetsEverything) {
  log_recorder log;  // both outlive the fixture, whose teardown may still log
  trace_recorder trace;
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto opts = test_options();
    opts.log = log.sink();
    opts.verbosity = log_level::debug;
    opts.trace = trace.sink();
    co_await echo_once(f, opts);
  });
  EXPECT_TRUE(log.has(log_level::debug, "> HEADERS"));
  EXPECT_TRUE(log.has(log_level::debug, "> websocket text frame 5 bytes"));
  EXPECT_TRUE(log.has(log_level::debug, "< websocket text message 5 bytes"));
  EXPECT_TRUE(log.has(log_level::info, "server supports RFC 8441"));
  EXPECT_TRUE(trace.contains("< websocket text message 5 bytes"));
  EXPECT_EQ(trace.lines.size(), log.records.size());
}

// Verifies warnings: a server whose websocket handler throws logs it at warning level (its
// log is set at warning, so nothing less severe arrives).
TEST(Logging, ServerWarningsReachItsLog) {
  log_recorder log;
  server_options sopts;
  sopts.limits.log = log.sink();
  sopts.limits.verbosity = log_level::warning;
  server_fixture f(sopts, [](websocket) { throw std::runtime_error("boom"); });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ws = co_await h2ws::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec) << "the websocket of a handler that threw stayed open";
  });
  EXPECT_TRUE(log.has(log_level::warning, "boom"));
  EXPECT_FALSE(log.any_at(log_level::info));
  EXPECT_FALSE(log.any_at(log_level::debug));
}

}  // namespace
}  // namespace h2ws::test
