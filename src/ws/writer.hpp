// Serialises RFC 6455 frames into caller-owned memory.
#pragma once

#include "ws/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace h2ws::ws {

/// Size of the header `write_frame_header` produces for a frame of `payload_size` bytes: 2 bytes,
/// plus 2 when the length needs 16 bits (126..65535), or 8 when it needs 64 bits, plus 4 for the
/// masking key when `masked`.
std::size_t frame_header_size(std::uint64_t payload_size, bool masked) noexcept;

/// Writes a frame header for a payload of `payload_size` bytes into `out`, which must have room
/// for `max_frame_header_size` (14) bytes, and returns the number of bytes written. The length
/// uses the shortest encoding, as RFC 6455 section 5.2 requires. When `mask_key` is set the MASK
/// bit and the key are written (key convention: see `apply_mask`); masking the payload is then the
/// caller's job, with `apply_mask(payload, *mask_key)`. This lets the HTTP/2 layer send header and
/// payload as separate buffers (scatter/gather) without copying the payload.
///
/// `payload_size` must be below 2^63. `rsv1` marks a permessage-deflate compressed message and
/// belongs on its first frame only.
std::size_t write_frame_header(std::uint8_t* out, opcode op, bool fin, std::uint64_t payload_size,
                               std::optional<std::uint32_t> mask_key, bool rsv1 = false) noexcept;

/// Appends one complete frame (header, then the payload masked with `mask_key` when it is set) to
/// `out`. A client passes a fresh key per frame (see `mask_generator`); a server passes nullopt.
/// `payload` must not alias `out`. Control frames must have `fin` set and at most 125 bytes.
void write_frame(std::vector<std::uint8_t>& out, opcode op, bool fin,
                 std::span<const std::uint8_t> payload, std::optional<std::uint32_t> mask_key,
                 bool rsv1 = false);

/// Appends a close frame to `out`. Code 1005 ("no status") means a close frame without payload,
/// and `reason` is then ignored; any other code is written followed by `reason`, cut to 123 bytes
/// on a UTF-8 character boundary so the frame stays a valid control frame with a valid reason.
/// The code itself is not checked: callers validate user input with `is_valid_close_code`.
/// The payload of a close frame: `code` big-endian, then `reason` cut to 123 bytes on a UTF-8
/// character boundary; empty for 1005 ("no status"). The code itself is not checked.
std::string close_payload(std::uint16_t code, std::string_view reason);

void write_close_frame(std::vector<std::uint8_t>& out, std::uint16_t code, std::string_view reason,
                       std::optional<std::uint32_t> mask_key);

}  // namespace h2ws::ws
