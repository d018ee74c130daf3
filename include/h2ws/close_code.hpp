/// \file
/// WebSocket close codes (RFC 6455 section 7.4.1).
#pragma once

#include <cstdint>

namespace h2ws {

/// Close status codes. Any 16-bit value may travel on the wire; these name the common ones.
enum class close_code : std::uint16_t {
  normal = 1000,               ///< The purpose of the connection was fulfilled.
  going_away = 1001,           ///< A server going down or a browser leaving the page.
  protocol_error = 1002,       ///< The peer broke the protocol.
  unsupported_data = 1003,     ///< A data type the endpoint cannot accept.
  no_status = 1005,            ///< Reserved: the close frame carried no code. Never sent.
  abnormal = 1006,             ///< Reserved: closed without a close frame. Never sent.
  invalid_payload = 1007,      ///< A text message that is not UTF-8, or similar.
  policy_violation = 1008,     ///< A message that violates the endpoint's policy.
  message_too_big = 1009,      ///< A message too big to process.
  mandatory_extension = 1010,  ///< The client needed an extension the server did not agree to.
  internal_error = 1011,       ///< The server hit an unexpected condition.
  service_restart = 1012,      ///< The server is restarting.
  try_again_later = 1013,      ///< Temporary overload.
  tls_handshake = 1015,        ///< Reserved: TLS failure. Never sent.
};

}  // namespace h2ws
