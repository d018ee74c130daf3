// Fresh, unpredictable masking keys for frames a client sends.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace h2ws::ws {

/// Draws masking keys from OpenSSL's CSPRNG. RFC 6455 section 5.3 requires each frame's key to
/// be unpredictable to the application (the mask exists to stop scripted payloads from poisoning
/// intermediary caches), so keys are not derived from a counter or a fast PRNG.
///
/// Keys are fetched in batches so that one `RAND_bytes` call serves many frames. Not thread
/// safe: use one from one thread at a time; for_this_thread() is the one the library's
/// websockets share (1 KiB per thread rather than per connection).
class mask_generator {
 public:
  /// Returns a fresh key, in the convention of `apply_mask` (the key's wire bytes, big-endian).
  std::uint32_t next();

  /// The calling thread's generator.
  static mask_generator& for_this_thread() noexcept;

 private:
  void refill();

  static constexpr std::size_t batch_size = 256;
  std::array<std::uint32_t, batch_size> keys_{};
  std::size_t used_ = batch_size;  // starts exhausted: the first next() fills the batch
};

}  // namespace h2ws::ws
