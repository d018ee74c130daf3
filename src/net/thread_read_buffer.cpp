#include "net/thread_read_buffer.hpp"

#include <memory>
#include <new>

namespace h2ws::net {

namespace {

struct buffer_of_thread {
  std::unique_ptr<std::uint8_t[]> bytes;
  bool lent = false;
};
thread_local buffer_of_thread local;

}  // namespace

thread_read_buffer::thread_read_buffer() noexcept {
  if (local.lent) return;
  if (!local.bytes) {
    local.bytes.reset(new (std::nothrow) std::uint8_t[size]);  // not zero-filled
    if (!local.bytes) return;
  }
  local.lent = true;
  data_ = local.bytes.get();
}

thread_read_buffer::~thread_read_buffer() {
  if (data_) local.lent = false;
}

}  // namespace h2ws::net
