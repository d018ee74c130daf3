#include "test_support.hpp"

#include <cstdlib>
#include <exception>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {

int test_concurrency_hint() {
  const char* hint = std::getenv("H2WS_TEST_CONCURRENCY_HINT");
  if (!hint || !*hint) return BOOST_ASIO_CONCURRENCY_HINT_DEFAULT;
  // What h2ws serve and the bench run with: one thread, no lock around socket operations.
  if (std::string_view(hint) == "unsafe_io") return BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO;
  return std::atoi(hint);
}

server_fixture::server_fixture(server_options opts, server::websocket_handler handler) {
  server_ = std::make_unique<server>(ctx_.get_executor(), std::move(opts), std::move(handler));
  auto ec = server_->listen("127.0.0.1", 0);
  EXPECT_FALSE(ec) << ec.message();
}

server_fixture::~server_fixture() {
  server_->stop();
  // Let the GOAWAYs and closes go out, then tear down.
  ctx_.run_for(std::chrono::milliseconds(50));
  server_.reset();
  ctx_.run_for(std::chrono::milliseconds(20));
}

std::string server_fixture::url(const std::string& path) const {
  return "ws://127.0.0.1:" + std::to_string(server_->port()) + path;
}

bool server_fixture::run(std::function<asio::awaitable<void>()> body,
                         std::chrono::milliseconds limit) {
  // Shared: a body that overruns still completes later, after this frame is gone.
  struct outcome {
    bool done = false;
    std::exception_ptr failure;
  };
  auto result = std::make_shared<outcome>();
  asio::co_spawn(ctx_, body(), [result](std::exception_ptr e) {
    result->failure = e;
    result->done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!result->done && std::chrono::steady_clock::now() < deadline)
    ctx_.run_one_for(std::chrono::milliseconds(50));
  auto failure = result->failure;
  if (!result->done) {
    ADD_FAILURE() << "test body did not finish within " << limit.count() << " ms";
    return false;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "test body threw: " << e.what();
    }
    return false;
  }
  return true;
}

options test_options() {
  options o;
  o.connect_timeout = std::chrono::seconds(5);
  o.open_timeout = std::chrono::seconds(5);
  o.close_timeout = std::chrono::seconds(2);
  return o;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace h2ws::test
