// One read buffer per thread for the plain-TCP connections it runs (HTTP/2 and upgraded
// HTTP/1.1): each read is taken in whole (parsed, and what must stay copied) before its
// handler returns, so no connection needs a 64 KiB buffer of its own, and an idle one
// holds not even a page of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include <boost/system/error_code.hpp>

namespace h2ws::net {

/// A read of many small messages goes in by slices of this much at most, and what a
/// slice's deliveries answered is written before the next goes in: the peer works on the
/// first answers while this side makes the rest, instead of both sides taking turns per
/// read (64 B echoes, 1,000 in flight: 1.3x the messages per second).
constexpr std::size_t read_slice_size = 16 * 1024;

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

class transport;

/// Takes what a readable plain-TCP `stream` holds now: into the thread's buffer (`lease`,
/// held until the caller has taken the bytes in), or into `own` (made on first use) when
/// another read on this thread holds that. Returns where the bytes are; `ec` says EOF or
/// an error, or would_block when there was nothing after all (wait again: see
/// nothing_to_read()).
std::span<std::uint8_t> read_available(transport& stream, const thread_read_buffer& lease,
                                       std::unique_ptr<std::uint8_t[]>& own,
                                       boost::system::error_code& ec);
/// `ec` of read_available(): the socket was readable, yet had nothing to take.
bool nothing_to_read(const boost::system::error_code& ec) noexcept;

}  // namespace h2ws::net
