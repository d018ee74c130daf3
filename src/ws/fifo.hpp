// A first-in first-out queue on one vector: nothing allocated until the first push, and
// its storage reused once warm. std::deque would allocate a map and a 512-byte chunk
// per queue at construction, which an idle websocket (four queues) pays for nothing.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace h2ws::ws {

template <class T>
class fifo {
 public:
  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  T& front() noexcept { return items_[head_]; }
  const T& front() const noexcept { return items_[head_]; }
  T& back() noexcept { return items_.back(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    compact();
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void push_back(T&& item) { emplace_back(std::move(item)); }

  void pop_front() {
    // Release what the item holds now, not at the next compaction. Items are only ever
    // constructed and destroyed, never assigned: Asio 1.26's any_completion_handler move
    // assignment recurses without end (it re-wraps its argument as an lvalue).
    std::destroy_at(&items_[head_]);
    std::construct_at(&items_[head_]);
    if (++head_ == items_.size()) clear();
  }
  /// Drops every item; the storage stays for reuse.
  void clear() noexcept {
    items_.clear();
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
