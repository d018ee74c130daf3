#include "ws/mask_generator.hpp"

#include <random>

#include <openssl/rand.h>

namespace h2ws::ws {

std::uint32_t mask_generator::next() {
  if (used_ == batch_size) refill();
  // Consumed keys stay in the array; they are never reused, so there is nothing to wipe.
  return keys_[used_++];
}

mask_generator& mask_generator::for_this_thread() noexcept {
  // Constant-initialized and trivially destructible: no guard on each access.
  thread_local mask_generator generator;
  return generator;
}

void mask_generator::refill() {
  auto* bytes = reinterpret_cast<unsigned char*>(keys_.data());
  if (RAND_bytes(bytes, static_cast<int>(sizeof keys_)) != 1) {
    // OpenSSL only fails when its DRBG cannot be seeded. Masking keys must still be
    // unpredictable, so fall back to the OS entropy source rather than to a weak PRNG.
    std::random_device os_entropy;
    for (auto& key : keys_) key = os_entropy();
  }
  used_ = 0;
}

}  // namespace h2ws::ws
