// Close frame rules (RFC 6455 sections 5.5.1 and 7.4), shared by the reader, the writer and the
// websocket's close() argument check.
#pragma once

#include "ws/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace h2ws::ws {

/// Longest close reason that fits in a control frame after the 2-byte code.
inline constexpr std::size_t max_close_reason = max_control_payload - 2;

/// Whether `code` may appear in a close frame on the wire. 1005, 1006 and 1015 are reserved for
/// local reporting only; 1004 and 1016-2999 are reserved for future RFCs; 3000-4999 belong to
/// libraries and applications; anything else is outside the defined space. 1012-1014 are
/// accepted because IANA registered them after RFC 6455 and browsers send them.
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

/// Length of the longest prefix of `reason` that fits in a close frame without cutting a UTF-8
/// sequence in half: a truncated reason must still be valid UTF-8 or the peer fails with 1007.
constexpr std::size_t close_reason_fit(std::string_view reason) noexcept {
  if (reason.size() <= max_close_reason) return reason.size();
  std::size_t cut = max_close_reason;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

}  // namespace h2ws::ws
