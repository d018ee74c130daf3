// A running echo server and a bounded way to run one coroutine test body.
#pragma once

#include <h2ws/h2ws.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace h2ws::test {

namespace asio = boost::asio;

/// The concurrency hint of the tests' io_contexts: H2WS_TEST_CONCURRENCY_HINT if set (the
/// suite runs a second time with "unsafe_io", where connections skip their strands), else
/// Asio's default.
int test_concurrency_hint();

/// An io_context with an h2ws server on 127.0.0.1 and a free port.
class server_fixture {
 public:
  explicit server_fixture(server_options opts = {}, server::websocket_handler handler = h2ws::echo);
  ~server_fixture();

  std::string url(const std::string& path = "/echo") const;
  asio::io_context& context() { return ctx_; }
  server& srv() { return *server_; }

  /// Runs `body` to completion on the io_context; fails the test (and returns
  /// false) if it throws or takes longer than `limit`.
  bool run(std::function<asio::awaitable<void>()> body,
           std::chrono::milliseconds limit = std::chrono::seconds(20));

 private:
  asio::io_context ctx_{test_concurrency_hint()};
  std::unique_ptr<server> server_;
};

/// Default client options for tests: short timeouts so failures do not hang.
options test_options();

/// Waits `d` on the calling coroutine's executor (a steady_timer; throws if cancelled).
asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

/// Collects the trace lines of options::trace, to look for one.
struct trace_recorder {
  std::vector<std::string> lines;
  /// A sink for options::trace that appends to `lines`.
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
  bool contains(std::string_view text) const {
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

}  // namespace h2ws::test
