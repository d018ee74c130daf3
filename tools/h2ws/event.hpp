// A one-shot event a coroutine can wait for, with a bound. Single-threaded: set() and
// wait() must run on the same io_context thread (post to it from other threads).
#pragma once

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::cli {

class event {
 public:
  explicit event(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {}

  /// Wakes the waiter (now or later); idempotent.
  void set() {
    is_set_ = true;
    timer_.cancel();  // a waiting timer completes with operation_aborted: that is the signal
  }
  bool is_set() const noexcept { return is_set_; }

  /// Completes when set() was called or `bound` elapsed (zero = no bound); returns is_set().
  boost::asio::awaitable<bool> wait(std::chrono::steady_clock::duration bound = {}) {
    if (is_set_) co_return true;
    if (bound > bound.zero()) {
      timer_.expires_after(bound);
    } else {
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
    }
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return is_set_;
  }

 private:
  boost::asio::steady_timer timer_;
  bool is_set_ = false;
};

}  // namespace h2ws::cli
