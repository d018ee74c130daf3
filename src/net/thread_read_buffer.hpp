// One read buffer per thread for the plain-TCP connections it runs (HTTP/2 and upgraded
// HTTP/1.1): each read is taken in whole (parsed, and what must stay copied) before its
// handler returns, so no connection needs a 64 KiB buffer of its own, and an idle one
// holds not even a page of it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace h2ws::net {

class thread_read_buffer {
 public:
  static constexpr std::size_t size = 64 * 1024;
  /// Borrows this thread's buffer until destroyed; data() is null when another read on this
  /// thread holds it (a read nested in another read's handlers: use a buffer of your own).
  thread_read_buffer() noexcept;
  ~thread_read_buffer();
  thread_read_buffer(const thread_read_buffer&) = delete;
  thread_read_buffer& operator=(const thread_read_buffer&) = delete;

  std::uint8_t* data() const noexcept { return data_; }

 private:
  std::uint8_t* data_ = nullptr;
};

}  // namespace h2ws::net
