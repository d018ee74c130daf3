// A connection's write batch (HTTP/2 or upgraded HTTP/1.1): storage taken from the thread's
// spare vectors when the connection holds none, and handed back once written when a burst
// grew it, so that a connection gone idle keeps no large buffer.
#pragma once

#include "net/transport.hpp"
#include "ws/byte_buffer.hpp"
#include "ws/spare_pool.hpp"

#include <cstddef>
#include <cstdint>

namespace h2ws::net {

/// Spare write batches, per thread (as ws::vector_pool's spare queues).
using write_batch_pool = ws::spare_pool<ws::byte_buffer, 1024, 1024 * 1024>;

/// Up to this much capacity a written batch stays with its connection (no churn per write).
inline constexpr std::size_t kept_write_batch = 4 * 1024;

/// Up to this size a batch is written at once where the transport can (transport::write_now());
/// a larger one is a bulk transfer and goes by an async_write, so that the writer hands the
/// thread back between batches (writing several in a row starved the connection's reads,
/// and with them the window updates: 1 MiB echoes lost about a quarter of their rate).
inline constexpr std::size_t write_now_limit = 64 * 1024;

/// Writes at once what `stream` takes of `batch` (plain TCP, a batch up to write_now_limit);
/// returns how many bytes went: 0 when it would block, failed, or is not for writing at
/// once. The rest goes by an async_write, which reports a failure as any write's.
inline std::size_t write_at_once(transport& stream, const ws::byte_buffer& batch) {
  if (batch.size() > write_now_limit || !stream.writes_now()) return 0;
  boost::system::error_code ec;
  const std::size_t done = stream.write_now(boost::asio::buffer(batch.data(), batch.size()), ec);
  return ec ? 0 : done;
}

/// Before filling `batch`: the thread's spare storage when it has none of its own.
inline void prepare_write_batch(ws::byte_buffer& batch) noexcept {
  if (batch.capacity() == 0) write_batch_pool::take(batch);
}

/// Once written (or when nothing was): empties `batch`, and hands its storage to the
/// thread's pool when it is above kept_write_batch.
inline void release_write_batch(ws::byte_buffer& batch) noexcept {
  batch.clear();
  if (batch.capacity() > kept_write_batch) write_batch_pool::give(batch);
}

}  // namespace h2ws::net
