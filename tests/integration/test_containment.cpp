// Exceptions thrown by the application's callbacks on the server are contained: the peer
// gets an answer at once, the error is reported, the server keeps serving.
#include "test_support.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using clock_type = std::chrono::steady_clock;

// Verifies that an authorize callback that throws answers the CONNECT with 500 at once
// (not at the client's open timeout), reports the exception, and leaves the connection
// and the server serving other websockets.
TEST(Containment, ThrowingAuthorizeAnswers500AndTheServerCarriesOn) {
  std::vector<std::string> errors;
  server_options sopts;
  sopts.paths = {"/echo", "/boom"};
  sopts.authorize = [](const handshake_request& r) -> unsigned {
    if (r.path == "/boom") throw std::runtime_error("authorization backend unreachable");
    return 200;
  };
  sopts.on_error = [&](std::string_view what) { errors.emplace_back(what); };
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    const auto start = clock_type::now();
    auto [ec, ws] = co_await conn.open_websocket("/boom", tuple_awaitable);
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(ws.status(), 500u);
    EXPECT_LT(clock_type::now() - start, std::chrono::seconds(2));
    // The same connection still opens and echoes.
    auto ok = co_await conn.open_websocket("/echo", asio::use_awaitable);
    co_await ok.send(message::text("still here"), asio::use_awaitable);
    auto back = co_await ok.receive(asio::use_awaitable);
    EXPECT_EQ(back.text(), "still here");
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("authorization backend unreachable"), std::string::npos) << errors[0];
}

// Verifies that a websocket handler that throws gets its websocket reset (the client
// learns at once, with no close handshake to wait for), reports the exception, and that
// the server goes on serving the next websocket.
TEST(Containment, ThrowingHandlerResetsItsWebsocketAndTheServerCarriesOn) {
  std::vector<std::string> errors;
  server_options sopts;
  sopts.paths = {"/echo", "/throw"};
  sopts.on_error = [&](std::string_view what) { errors.emplace_back(what); };
  server_fixture f(sopts, [](websocket ws) {
    if (ws.path() == "/throw") throw std::logic_error("handler bug");
    echo(std::move(ws));
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto doomed = co_await conn.open_websocket("/throw", asio::use_awaitable);
    const auto start = clock_type::now();
    auto [ec, m] = co_await doomed.receive(tuple_awaitable);
    EXPECT_EQ(ec, error::stream_reset) << ec.message();
    EXPECT_LT(clock_type::now() - start, std::chrono::seconds(2));
    auto ok = co_await conn.open_websocket("/echo", asio::use_awaitable);
    co_await ok.send(message::text("next"), asio::use_awaitable);
    auto back = co_await ok.receive(asio::use_awaitable);
    EXPECT_EQ(back.text(), "next");
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("handler bug"), std::string::npos) << errors[0];
}

// Verifies that a receive handler that throws (the exception leaves run(), as from any Asio
// handler) leaves its connection working: the application catches it, runs the io_context
// again, and the same websocket echoes the next message, on both protocols.
TEST(Containment, ThrowingReceiveHandlerLeavesTheConnectionWorking) {
  server_fixture f;
  auto& ctx = f.context();
  for (bool h1 : {false, true}) {
    std::optional<websocket> ws;
    auto opts = test_options();
    opts.force_http1 = h1;
    h2ws::connect(ctx.get_executor(), f.url(), opts,
                  [&](boost::system::error_code ec, websocket w) {
                    EXPECT_FALSE(ec) << ec.message();
                    ws.emplace(std::move(w));
                  });
    auto run_until = [&](auto done) {
      for (int i = 0; i < 500 && !done(); ++i) {
        try {
          ctx.run_for(std::chrono::milliseconds(10));
        } catch (const std::runtime_error&) {
          return true;  // thrown out of run()
        }
        ctx.restart();
      }
      return false;
    };
    run_until([&] { return ws.has_value(); });
    if (!ws) {
      ADD_FAILURE() << "no websocket";
      return;
    }
    ws->receive([](boost::system::error_code, message) { throw std::runtime_error("receiver"); });
    ws->send(message::text("first"), [](boost::system::error_code) {});
    EXPECT_TRUE(run_until([] { return false; })) << "the handler's exception never surfaced";
    ctx.restart();
    std::optional<std::string> second;
    ws->receive([&](boost::system::error_code ec, message m) {
      EXPECT_FALSE(ec) << ec.message();
      second = m.text();
    });
    ws->send(message::text("second"), [](boost::system::error_code) {});
    run_until([&] { return second.has_value(); });
    EXPECT_EQ(second.value_or("(none)"), "second") << (h1 ? "HTTP/1.1" : "HTTP/2");
    ws->close(close_code::normal, "", [](boost::system::error_code) {});
    run_until([] { return false; });
    ctx.restart();
  }
}

// Verifies that a receive handler that throws while many more messages came in the same
// read (their echoes, 64 KiB sent at once: reads larger than the 16 KiB slices both
// carriers take them in by) loses none of them: the exception leaves run(), and the next
// receives get every later message, in order. Over HTTP/2 and HTTP/1.1.
class LargeRead : public ::testing::TestWithParam<bool> {};

TEST_P(LargeRead, ThrowingReceiveHandlerLosesNothingOfIt) {
  server_fixture f;
  auto& ctx = f.context();
  std::optional<websocket> ws;
  auto opts = test_options();
  opts.force_http1 = GetParam();
  h2ws::connect(ctx.get_executor(), f.url(), opts, [&](boost::system::error_code ec, websocket w) {
    EXPECT_FALSE(ec) << ec.message();
    ws.emplace(std::move(w));
  });
  bool thrown = false;
  auto run_until = [&](auto done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      try {
        ctx.run_for(std::chrono::milliseconds(10));
      } catch (const std::runtime_error&) {
        thrown = true;
      }
      ctx.restart();
    }
  };
  run_until([&] { return ws.has_value(); });
  if (!ws) {
    ADD_FAILURE() << "no websocket";
    return;
  }
  constexpr int count = 64;
  auto payload = [](int i) { return std::to_string(i) + std::string(1024, 'x'); };
  for (int i = 0; i < count; ++i)
    ws->send(message::binary(payload(i)), [](boost::system::error_code) {});
  ws->receive([](boost::system::error_code, message) { throw std::runtime_error("receiver"); });
  run_until([&] { return thrown; });
  EXPECT_TRUE(thrown) << "the handler's exception never surfaced";
  std::vector<std::string> rest;
  std::function<void()> receive_next = [&] {
    ws->receive([&](boost::system::error_code ec, message m) {
      if (ec) {
        ADD_FAILURE() << ec.message();
        return;
      }
      rest.push_back(std::move(m).payload());
      if (rest.size() < count - 1) receive_next();
    });
  };
  receive_next();
  run_until([&] { return rest.size() == count - 1; });
  ASSERT_EQ(rest.size(), std::size_t{count - 1});
  for (int i = 1; i < count; ++i) EXPECT_EQ(rest[i - 1], payload(i)) << "message " << i;
}

INSTANTIATE_TEST_SUITE_P(Containment, LargeRead, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Http1" : "Http2"; });

}  // namespace
}  // namespace h2ws::test
