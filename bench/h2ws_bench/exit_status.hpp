// The process exit codes of h2ws-bench.
#pragma once

namespace h2ws::bench {

/// What the process reports to its caller. Scripts rely on these values: never renumber them.
enum class exit_status : int {
  /// Every requested scenario ran and printed its result lines.
  ok = 0,
  /// The command line was wrong.
  usage = 1,
  /// Nothing could be measured: the server did not start or could not be reached, the websocket
  /// handshake failed, or the requested baseline is not available in this build.
  setup_failed = 2,
  /// A scenario failed part way (an error from the library or the peer, a wrong echo, or the
  /// wall-clock limit was hit); the lines printed before it stand.
  run_failed = 3,
};

inline int to_int(exit_status s) noexcept { return static_cast<int>(s); }

}  // namespace h2ws::bench
