#include "ws/mask.hpp"

#include <cstring>

namespace h2ws::ws {

void apply_mask(std::span<std::uint8_t> data, std::uint32_t key, std::size_t offset) noexcept {
  // The key as it lies on the wire, rotated so that index 0 lines up with data[0].
  std::uint8_t k[4];
  for (std::size_t i = 0; i < 4; ++i) {
    k[i] = static_cast<std::uint8_t>(key >> (24 - 8 * ((offset + i) % 4)));
  }

  std::uint8_t* p = data.data();
  std::size_t n = data.size();

  // Eight bytes per step. Building the pattern in memory order and going through memcpy keeps
  // it independent of host endianness and alignment; compilers turn the memcpys into plain
  // loads and stores and vectorise the loop. Since 8 is a multiple of 4 the pattern never needs
  // rotating inside the loop.
  std::uint8_t pattern_bytes[8] = {k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]};
  std::uint64_t pattern;
  std::memcpy(&pattern, pattern_bytes, sizeof pattern);
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    word ^= pattern;
    std::memcpy(p, &word, sizeof word);
  }
  for (std::size_t i = 0; i < n; ++i) p[i] ^= k[i % 4];
}

}  // namespace h2ws::ws
