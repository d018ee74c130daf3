// The process exit codes of the h2ws CLI (README.md, "The CLI": exit status).
#pragma once

namespace h2ws::cli {

/// What the process reports to its caller. Scripts and tests rely on these values:
/// never renumber them.
enum class exit_status : int {
  /// The websocket closed normally (1000, 1001, or a close frame without a code).
  ok = 0,
  /// The command line was wrong, or asked for something not implemented yet.
  usage = 1,
  /// The connection or the websocket handshake failed (refused, no RFC 8441, timeout, TLS).
  connect_failed = 2,
  /// The peer closed the websocket with a code other than 1000/1001.
  peer_closed_with_error = 3,
  /// The connection was lost, reset, or the peer broke the protocol.
  connection_lost = 4,
};

inline int to_int(exit_status s) noexcept { return static_cast<int>(s); }

}  // namespace h2ws::cli
