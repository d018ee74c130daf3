// Vocabulary of RFC 6455 section 5.2 framing shared by the reader and the writer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace h2ws::ws {

/// Frame opcodes (RFC 6455 section 5.2). Values are the 4-bit wire values; 3-7 and 11-15 are
/// reserved and never appear in this enum: the reader rejects them before building an opcode.
enum class opcode : std::uint8_t {
  continuation = 0,  ///< Continues the fragmented message in progress.
  text = 1,          ///< First (or only) frame of a UTF-8 text message.
  binary = 2,        ///< First (or only) frame of a binary message.
  close = 8,         ///< Close handshake; optional 2-byte code and UTF-8 reason.
  ping = 9,          ///< Keep-alive probe; the peer answers with a pong of the same payload.
  pong = 10,         ///< Answer to a ping, or an unsolicited heartbeat.
};

/// Which end of the websocket this codec runs on. It decides the masking rules: a client masks
/// what it sends and rejects masked input; a server does the reverse (RFC 6455 section 5.1).
enum class role {
  client,  ///< We opened the websocket; frames we receive must be unmasked.
  server,  ///< We accepted the websocket; frames we receive must be masked.
};

/// Control frames are the opcodes with the high bit set (RFC 6455 section 5.5).
constexpr bool is_control(opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

/// Control frames may carry at most 125 payload bytes (RFC 6455 section 5.5).
inline constexpr std::size_t max_control_payload = 125;

/// Longest possible frame header: 2 fixed bytes, an 8-byte extended length, a 4-byte mask key.
inline constexpr std::size_t max_frame_header_size = 14;

}  // namespace h2ws::ws
