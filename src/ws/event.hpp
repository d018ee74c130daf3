// What the reader hands up: whole messages and control frames.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace h2ws::ws {

/// A complete data message, reassembled from all its fragments.
struct message_event {
  bool binary = false;      ///< Opcode of the first frame was binary (else text, UTF-8 checked).
  std::string payload;      ///< The unmasked payload of all fragments, in order.
  bool compressed = false;  ///< First frame had RSV1 (permessage-deflate): payload still deflated,
                            ///< UTF-8 not checked yet; the inflating layer does both.
  bool operator==(const message_event&) const = default;
};

/// A ping; the websocket layer answers with a pong carrying the same payload.
struct ping_event {
  std::string payload;  ///< 0..125 bytes, unmasked.
  bool operator==(const ping_event&) const = default;
};

/// A pong, solicited or not.
struct pong_event {
  std::string payload;  ///< 0..125 bytes, unmasked.
  bool operator==(const pong_event&) const = default;
};

/// The peer's close frame. Already checked: the code may be sent on the wire and the reason is
/// UTF-8.
struct close_event {
  std::uint16_t code = 1005;  ///< 1005 ("no status") when the frame had no payload.
  std::string reason;         ///< Up to 123 bytes of UTF-8; empty when absent.
  bool operator==(const close_event&) const = default;
};

/// One unit of reader output.
using event = std::variant<message_event, ping_event, pong_event, close_event>;

}  // namespace h2ws::ws
