// Completes a handler later, never inside the call that started its operation:
// posted through the strand, run on the handler's associated executor.
#pragma once

#include <h2ws/handler_allocator.hpp>

#include <memory>
#include <tuple>
#include <utility>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>

namespace h2ws::detail {

/// Posts `f` to `ex` with its operation's memory from handler_memory's free list: on the
/// per-message path, Asio's own per-thread cache (two blocks) is taken by the strand's
/// operations, and any post beyond those would be a heap allocation.
template <class Executor, class F>
void post_recycled(const Executor& ex, F&& f) {
  boost::asio::post(ex, boost::asio::bind_allocator(handler_allocator<void>{}, std::forward<F>(f)));
}

// (asio::append is not used: in Asio 1.26 it re-wraps an any_completion_handler
// held as an lvalue inside another one, endlessly.)
template <class Executor, class Handler, class... Args>
void complete_later(const Executor& ex, Handler&& handler, Args&&... args) {
  auto handler_ex = boost::asio::get_associated_executor(handler, ex);
  post_recycled(
      ex, boost::asio::bind_executor(
              handler_ex, [h = std::forward<Handler>(handler),
                           values = std::make_tuple(std::forward<Args>(args)...)]() mutable {
                std::apply([&](auto&&... v) { std::move(h)(std::move(v)...); }, std::move(values));
              }));
}

/// Whether a function dispatched to `ex` would run at once, inside the call: `ex` is a
/// strand or an io_context executor running on this thread.
template <class Strand>
bool runs_here(const boost::asio::any_completion_executor& ex) {
  using io_executor = boost::asio::io_context::executor_type;
  using tracked_io_executor = decltype(boost::asio::prefer(
      std::declval<io_executor>(), boost::asio::execution::outstanding_work.tracked));
  if (const auto* s = ex.target<Strand>()) return s->running_in_this_thread();
  if (const auto* io = ex.target<io_executor>()) return io->running_in_this_thread();
  if (const auto* io = ex.target<tracked_io_executor>()) return io->running_in_this_thread();
  return false;
}

/// Runs `f` on `ex`: at once when `ex` would run it inline anyway (runs_here()), which
/// spares dispatch() its type-erased function object; otherwise through dispatch().
template <class Strand, class F>
void run_on(const boost::asio::any_completion_executor& ex, F&& f) {
  if (runs_here<Strand>(ex)) return f();
  boost::asio::dispatch(ex, std::forward<F>(f));
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

/// Per-operation cancellation: when `handler` has a cancellation slot, installs in it a
/// canceller that calls `on_cancel(*target, type)` on `strand`. The signal may be emitted
/// from any thread: the canceller only posts, and holds `target` weakly (a handler
/// without a slot costs no reference count).
template <class Handler, class Target, class Strand, class OnCancel>
void on_cancellation(Handler& handler, Target& target, const Strand& strand, OnCancel on_cancel) {
  auto slot = handler.get_cancellation_slot();
  if (!slot.is_connected()) return;
  struct canceller {
    std::weak_ptr<Target> target;
    Strand strand;
    OnCancel on_cancel;
    void operator()(boost::asio::cancellation_type type) {
      post_recycled(strand, [target = target, on_cancel = on_cancel, type] {
        if (auto t = target.lock()) on_cancel(*t, type);
      });
    }
  };
  slot.template emplace<canceller>(target.weak_from_this(), strand, std::move(on_cancel));
}

/// Whether `type` asks for terminal cancellation (which the total and partial kinds imply
/// not): the operation may leave its object good only for closing.
inline bool is_terminal(boost::asio::cancellation_type type) {
  return (type & boost::asio::cancellation_type::terminal) != boost::asio::cancellation_type::none;
}

/// For a handle with no connection (and so no strand): completes through the
/// system executor, which hands over to the handler's own executor.
template <class Handler, class... Args>
void complete_later_unbound(Handler&& handler, Args&&... args) {
  complete_later(boost::asio::system_executor(), std::forward<Handler>(handler),
                 std::forward<Args>(args)...);
}

}  // namespace h2ws::detail
