// Bytes gathered for one write (a connection's write batch), appended by plain copies:
// std::vector<std::uint8_t>'s insert() is a general-purpose out-of-line call (~55
// instructions to append a 9-byte frame header), and its resize() zero-fills what is about
// to be overwritten. Nothing is allocated until the first append; growth is geometric.
// Works with spare_pool (clear(), capacity(), swap(), moves).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace h2ws::ws {

class byte_buffer {
 public:
  using value_type = std::uint8_t;

  byte_buffer() = default;
  byte_buffer(byte_buffer&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  byte_buffer& operator=(byte_buffer&& other) noexcept {
    byte_buffer(std::move(other)).swap(*this);
    return *this;
  }

  std::uint8_t* data() noexcept { return data_.get(); }
  const std::uint8_t* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  void clear() noexcept { size_ = 0; }

  void append(const void* bytes, std::size_t n) {
    if (n > capacity_ - size_) grow(n);
    if (n != 0) std::memcpy(data_.get() + size_, bytes, n);
    size_ += n;
  }
  void push_back(std::uint8_t byte) { append(&byte, 1); }
  void append_zeros(std::size_t n) {
    if (n > capacity_ - size_) grow(n);
    if (n != 0) std::memset(data_.get() + size_, 0, n);
    size_ += n;
  }
  void reserve(std::size_t n) {
    if (n > capacity_) grow(n - size_);
  }

  void swap(byte_buffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  // Room for `more` bytes past size(): at least double the capacity.
  void grow(std::size_t more) {
    const std::size_t capacity = std::max(size_ + more, capacity_ * 2);
    std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[capacity]);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace h2ws::ws
