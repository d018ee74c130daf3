// A first-in first-out queue whose oldest item lives inside the object: one item at a time
// (a websocket's one send in flight, the usual case) takes no queue storage at all, neither
// from the heap nor from the thread's pool (a take and a give there cost ~150 instructions
// per message). Later items queue behind it in a fifo.
#pragma once

#include "ws/fifo.hpp"

#include <cstddef>
#include <optional>
#include <utility>

namespace h2ws::ws {

template <class T>
class first_inline_fifo {
 public:
  bool empty() const noexcept { return !first_; }
  std::size_t size() const noexcept { return first_ ? 1 + rest_.size() : 0; }
  T& front() noexcept { return *first_; }
  T& back() noexcept { return rest_.empty() ? *first_ : rest_.back(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (!first_) return first_.emplace(std::forward<Args>(args)...);
    return rest_.emplace_back(std::forward<Args>(args)...);
  }
  void push_back(T&& item) { emplace_back(std::move(item)); }

  void pop_front() {
    // Items are only constructed and destroyed, never assigned (see fifo::pop_front()).
    first_.reset();
    if (rest_.empty()) return;
    first_.emplace(std::move(rest_.front()));
    rest_.pop_front();
  }
  void clear() noexcept {
    first_.reset();
    rest_.clear();
  }

  /// Calls `f(item)` for every item, oldest first.
  template <class F>
  void for_each(F&& f) {
    if (!first_) return;
    f(*first_);
    for (auto& item : rest_) f(item);
  }

 private:
  std::optional<T> first_;
  fifo<T> rest_;
};

}  // namespace h2ws::ws
