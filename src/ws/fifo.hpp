// A first-in first-out queue on one vector: nothing allocated until the first push, and
// its storage handed to the thread's vector_pool whenever it empties (and taken from it
// at the next push), so a busy queue reuses its storage and an idle one holds none.
// std::deque would allocate a map and a 512-byte chunk per queue at construction, which an
// idle websocket (several queues) would pay for nothing.
#pragma once

#include "ws/vector_pool.hpp"

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace h2ws::ws {

template <class T>
class fifo {
 public:
  fifo() = default;
  fifo(fifo&&) noexcept = default;
  fifo& operator=(fifo&&) noexcept = default;
  ~fifo() { vector_pool<T>::give(items_); }

  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  T& front() noexcept { return items_[head_]; }
  const T& front() const noexcept { return items_[head_]; }
  T& back() noexcept { return items_.back(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (items_.capacity() == 0) vector_pool<T>::take(items_);
    compact();
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void push_back(T&& item) { emplace_back(std::move(item)); }

  void pop_front() {
    // Release what the item holds now, not at the next compaction. Items are only ever
    // constructed and destroyed, never assigned: Asio 1.26's any_completion_handler move
    // assignment recurses without end (it re-wraps its argument as an lvalue).
    if (head_ + 1 == items_.size()) {  // the last one: every item goes, once
      clear();
      return;
    }
    std::destroy_at(&items_[head_]);
    std::construct_at(&items_[head_]);
    ++head_;
  }
  /// Drops every item; the storage goes back to the thread's pool.
  void clear() noexcept {
    vector_pool<T>::give(items_);
    head_ = 0;
  }

  auto begin() noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() noexcept { return items_.end(); }

 private:
  // A queue that never drains (steady pipelining) would grow without end: once the
  // taken items are at least half of the vector, move the live ones to its front.
  void compact() {
    if (head_ < 16 || head_ * 2 < items_.size()) return;
    const std::size_t live = items_.size() - head_;
    for (std::size_t i = 0; i < live; ++i) {
      std::destroy_at(&items_[i]);
      std::construct_at(&items_[i], std::move(items_[head_ + i]));
    }
    items_.resize(live);
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace h2ws::ws
