// The same operations through other completion tokens: callbacks and futures.
#include "test_support.hpp"

#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

// Verifies the callback style end to end: connect, open, full-duplex receive
// posted before the send, close.
TEST(CompletionTokens, CallbacksWork) {
  server_fixture f;
  boost::system::error_code last;
  std::string echoed;
  bool closed = false;
  connection conn;
  websocket ws;
  connection::connect(
      f.context().get_executor(), f.url(), test_options(),
      [&](boost::system::error_code ec, connection c) {
        ASSERT_FALSE(ec) << ec.message();
        conn = std::move(c);
        conn.open_websocket("/echo", [&](boost::system::error_code ec, websocket w) {
          ASSERT_FALSE(ec) << ec.message();
          ws = std::move(w);
          // Receive first, then send: one receive and one send outstanding together.
          ws.receive([&](boost::system::error_code ec, message m) {
            last = ec;
            echoed = std::string(m.text());
            ws.close(close_code::normal, "", [&](boost::system::error_code ec) {
              last = ec;
              closed = true;
            });
          });
          ws.send(message::text("via callbacks"), [&](boost::system::error_code ec) { last = ec; });
        });
      });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!closed && std::chrono::steady_clock::now() < deadline)
    f.context().run_one_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(closed);
  EXPECT_FALSE(last) << last.message();
  EXPECT_EQ(echoed, "via callbacks");
}

// Verifies the blocking style: the io_context runs on its own thread and the
// caller waits on std::futures, sending from a thread that is not the io thread.
TEST(CompletionTokens, FuturesFromAnotherThread) {
  server_fixture f;
  auto work = asio::make_work_guard(f.context());
  std::thread io([&] { f.context().run(); });
  {
    auto conn =
        connection::connect(f.context().get_executor(), f.url(), test_options(), asio::use_future)
            .get();
    auto ws = conn.open_websocket("/echo", asio::use_future).get();
    std::vector<std::future<void>> sends;
    for (int i = 0; i < 20; ++i)
      sends.push_back(ws.send(message::text("f" + std::to_string(i)), asio::use_future));
    for (auto& s : sends) s.get();
    for (int i = 0; i < 20; ++i)
      EXPECT_EQ(ws.receive(asio::use_future).get().text(), "f" + std::to_string(i));
    ws.close(close_code::normal, "", asio::use_future).get();
  }
  work.reset();
  f.srv().stop();
  f.context().stop();
  io.join();
  f.context().restart();
}

// Verifies that each receive and send handler runs on its own associated executor, also when
// messages are already waiting and handlers of different executors alternate (the
// delivery pump calls handlers that run on the strand inline, and must not do so for
// one bound to another io_context).
TEST(CompletionTokens, ReceiveHandlersRunOnTheirExecutors) {
  server_fixture f;
  asio::io_context other;
  constexpr int count = 40;
  int received = 0;
  int wrong_executor = 0;
  int sends_done = 0;
  bool done = false;
  std::vector<std::string> texts;
  websocket ws;
  std::function<void()> receive_next = [&] {
    const bool bound = received % 2 == 1;
    auto check = [&, bound](boost::system::error_code ec, message m) {
      ASSERT_FALSE(ec) << ec.message();
      if (bound != other.get_executor().running_in_this_thread()) ++wrong_executor;
      texts.emplace_back(m.text());
      if (++received == count) {
        done = true;
        return;
      }
      receive_next();
    };
    if (bound)
      ws.receive(asio::bind_executor(other.get_executor(), check));
    else
      ws.receive(check);
  };
  connection conn;
  connection::connect(
      f.context().get_executor(), f.url(), test_options(),
      [&](boost::system::error_code ec, connection c) {
        ASSERT_FALSE(ec) << ec.message();
        conn = std::move(c);
        conn.open_websocket("/echo", [&](boost::system::error_code ec, websocket w) {
          ASSERT_FALSE(ec) << ec.message();
          ws = std::move(w);
          for (int i = 0; i < count; ++i) {
            // Send handlers too: plain ones and bound ones alternating.
            auto sent = [&, bound = i % 2 == 1](boost::system::error_code ec) {
              EXPECT_FALSE(ec) << ec.message();
              if (bound != other.get_executor().running_in_this_thread()) ++wrong_executor;
              ++sends_done;
            };
            auto text = message::text("m" + std::to_string(i));
            if (i % 2 == 1)
              ws.send(std::move(text), asio::bind_executor(other.get_executor(), sent));
            else
              ws.send(std::move(text), sent);
          }
          receive_next();
        });
      });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((!done || sends_done < count) && std::chrono::steady_clock::now() < deadline) {
    f.context().run_one_for(std::chrono::milliseconds(5));
    other.poll();
    other.restart();
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(sends_done, count);
  EXPECT_EQ(wrong_executor, 0);
  for (int i = 0; i < count; ++i) EXPECT_EQ(texts[i], "m" + std::to_string(i));
  ws = websocket();
  conn = connection();
  f.context().poll();
}

}  // namespace
}  // namespace h2ws::test
