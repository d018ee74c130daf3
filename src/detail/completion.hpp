// Completes a handler later, never inside the call that started its operation:
// posted through the strand, run on the handler's associated executor.
#pragma once

#include <tuple>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

namespace h2ws::detail {

// (asio::append is not used: in Asio 1.26 it re-wraps an any_completion_handler
// held as an lvalue inside another one, endlessly.)
template <class Executor, class Handler, class... Args>
void complete_later(const Executor& ex, Handler&& handler, Args&&... args) {
  auto handler_ex = boost::asio::get_associated_executor(handler, ex);
  boost::asio::post(
      ex, boost::asio::bind_executor(
              handler_ex, [h = std::forward<Handler>(handler),
                           values = std::make_tuple(std::forward<Args>(args)...)]() mutable {
                std::apply([&](auto&&... v) { std::move(h)(std::move(v)...); }, std::move(values));
              }));
}

/// Stores `handler` in `slot`. Asio 1.26's any_completion_handler move
/// assignment recurses without end (it re-wraps its argument as an lvalue), so
/// handlers are only ever move-constructed and swapped.
template <class Handler>
void store_handler(Handler& slot, Handler&& handler) {
  Handler moved(std::move(handler));
  slot.swap(moved);
}

/// Takes the handler out of `slot`, leaving it empty.
template <class Handler>
Handler take_handler(Handler& slot) {
  return Handler(std::move(slot));
}

/// For a handle with no connection (and so no strand): completes through the
/// system executor, which hands over to the handler's own executor.
template <class Handler, class... Args>
void complete_later_unbound(Handler&& handler, Args&&... args) {
  complete_later(boost::asio::system_executor(), std::forward<Handler>(handler),
                 std::forward<Args>(args)...);
}

}  // namespace h2ws::detail
