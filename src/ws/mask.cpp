#include "ws/mask.hpp"

#include <bit>
#include <cstring>

namespace h2ws::ws {

void apply_mask(std::span<std::uint8_t> data, std::uint32_t key, std::size_t offset) noexcept {
  // The key rotated so that its first byte lines up with data[0], then laid out in memory
  // order (byte i of `pattern` in memory is the key byte for data[i]) whatever the host's
  // endianness. Since 8 is a multiple of 4 the pattern never needs rotating inside the loop.
  std::uint32_t rotated = std::rotl(key, static_cast<int>(8 * (offset % 4)));
  if constexpr (std::endian::native == std::endian::little) rotated = __builtin_bswap32(rotated);
  const std::uint64_t pattern = static_cast<std::uint64_t>(rotated) << 32 | rotated;

  std::uint8_t* p = data.data();
  std::size_t n = data.size();
  // Sixteen bytes per step, as two words: going through memcpy keeps it independent of
  // alignment, and compilers turn the memcpys into plain loads and stores (or vectorise).
  for (; n >= 16; p += 16, n -= 16) {
    std::uint64_t words[2];
    std::memcpy(words, p, sizeof words);
    words[0] ^= pattern;
    words[1] ^= pattern;
    std::memcpy(p, words, sizeof words);
  }
  if (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    word ^= pattern;
    std::memcpy(p, &word, sizeof word);
    p += 8;
    n -= 8;
  }
  std::uint8_t k[8];
  std::memcpy(k, &pattern, sizeof k);
  for (std::size_t i = 0; i < n; ++i) p[i] ^= k[i];
}

}  // namespace h2ws::ws
