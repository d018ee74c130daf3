#include "net/thread_read_buffer.hpp"

#include "net/transport.hpp"

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

std::span<std::uint8_t> read_available(transport& stream, const thread_read_buffer& lease,
                                       std::unique_ptr<std::uint8_t[]>& own,
                                       boost::system::error_code& ec) {
  std::uint8_t* into = lease.data();
  if (!into) {
    if (!own) own.reset(new std::uint8_t[thread_read_buffer::size]);  // not zero-filled
    into = own.get();
  }
  const auto n = stream.read_now(boost::asio::buffer(into, thread_read_buffer::size), ec);
  return {into, n};
}

bool nothing_to_read(const boost::system::error_code& ec) noexcept {
  return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

}  // namespace h2ws::net
