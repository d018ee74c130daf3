// The framing of the TCP floor: each message is a 4-byte big-endian length, then the payload.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace h2ws::bench::tcp_wire {

inline constexpr std::size_t header_size = 4;
/// Larger announced lengths are a broken peer, not a message (the benchmark never sends them).
inline constexpr std::uint32_t max_message_size = 64u * 1024 * 1024;

inline void write_header(std::uint8_t* out, std::uint32_t length) noexcept {
  out[0] = static_cast<std::uint8_t>(length >> 24);
  out[1] = static_cast<std::uint8_t>(length >> 16);
  out[2] = static_cast<std::uint8_t>(length >> 8);
  out[3] = static_cast<std::uint8_t>(length);
}

inline std::uint32_t read_header(const std::uint8_t* in) noexcept {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         std::uint32_t{in[3]};
}

}  // namespace h2ws::bench::tcp_wire
