#include "ws/writer.hpp"

#include "ws/close.hpp"
#include "ws/mask.hpp"

#include <array>
#include <cstring>

namespace h2ws::ws {

namespace {

// Largest payloads that fit the 7-bit and 16-bit length forms.
constexpr std::uint64_t max_7bit_length = 125;
constexpr std::uint64_t max_16bit_length = 0xFFFF;

}  // namespace

std::size_t frame_header_size(std::uint64_t payload_size, bool masked) noexcept {
  std::size_t size = 2;
  if (payload_size > max_16bit_length)
    size += 8;
  else if (payload_size > max_7bit_length)
    size += 2;
  if (masked) size += 4;
  return size;
}

std::size_t write_frame_header(std::uint8_t* out, opcode op, bool fin, std::uint64_t payload_size,
                               std::optional<std::uint32_t> mask_key, bool rsv1) noexcept {
  std::uint8_t* p = out;
  *p++ = static_cast<std::uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) |
                                   static_cast<std::uint8_t>(op));
  const std::uint8_t mask_bit = mask_key ? 0x80 : 0;
  if (payload_size <= max_7bit_length) {
    *p++ = static_cast<std::uint8_t>(mask_bit | payload_size);
  } else if (payload_size <= max_16bit_length) {
    *p++ = mask_bit | 126;
    *p++ = static_cast<std::uint8_t>(payload_size >> 8);
    *p++ = static_cast<std::uint8_t>(payload_size);
  } else {
    *p++ = mask_bit | 127;
    for (int shift = 56; shift >= 0; shift -= 8) {
      *p++ = static_cast<std::uint8_t>(payload_size >> shift);
    }
  }
  if (mask_key) {
    for (int shift = 24; shift >= 0; shift -= 8)
      *p++ = static_cast<std::uint8_t>(*mask_key >> shift);
  }
  return static_cast<std::size_t>(p - out);
}

void write_frame(std::vector<std::uint8_t>& out, opcode op, bool fin,
                 std::span<const std::uint8_t> payload, std::optional<std::uint32_t> mask_key,
                 bool rsv1) {
  // Two range inserts rather than resize + memcpy: resize would zero-fill the payload area first,
  // and insert grows the capacity geometrically when frames are appended in a loop.
  std::array<std::uint8_t, max_frame_header_size> header;
  const std::size_t header_size =
      write_frame_header(header.data(), op, fin, payload.size(), mask_key, rsv1);
  out.insert(out.end(), header.data(), header.data() + header_size);
  const std::size_t payload_at = out.size();
  out.insert(out.end(), payload.begin(), payload.end());
  if (mask_key) apply_mask(std::span(out).subspan(payload_at), *mask_key);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  // RFC 6455 section 7.1.5: 1005 is what a receiver reports for a close frame without a code,
  // so sending "1005" means sending no code at all.
  std::string payload;
  if (code == 1005) return payload;
  payload.reserve(2 + close_reason_fit(reason));
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  payload.append(reason.substr(0, close_reason_fit(reason)));
  return payload;
}

void write_close_frame(std::vector<std::uint8_t>& out, std::uint16_t code, std::string_view reason,
                       std::optional<std::uint32_t> mask_key) {
  const auto payload = close_payload(code, reason);
  write_frame(out, opcode::close, true,
              {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}, mask_key);
}

}  // namespace h2ws::ws
