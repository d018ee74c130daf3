// The echo servers the benchmark talks to, each run in a helper process of its own
// (`h2ws-bench --serve-internal PORT` and `--serve-tcp-internal PORT`).
#pragma once

#include <cstdint>

namespace h2ws::bench {

/// The project's own RFC 8441 echo server (h2ws::server + h2ws::echo, as `h2ws serve`) on
/// 127.0.0.1:`port` (0 = a free port). Prints the bound port and a newline on stdout once it
/// listens, then serves until SIGTERM/SIGINT or until its parent process is gone.
/// Returns the process exit code.
/// `pipelined` swaps h2ws::echo for a diagnostic handler that sends each echo without waiting
/// for the previous send to complete (see --server-echo in main.cpp).
int serve_h2ws_echo(std::uint16_t port, bool pipelined = false);

/// The floor: a plain Asio TCP echo of length-prefixed messages (4-byte big-endian length,
/// payload) on 127.0.0.1:`port`, in the same way. Full duplex: complete messages are echoed as
/// they arrive, coalesced into one write while the previous write is in progress.
int serve_tcp_echo(std::uint16_t port);

}  // namespace h2ws::bench
