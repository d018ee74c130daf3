// `h2ws serve`: the bundled RFC 8441 echo server.
#pragma once

#include "cli_options.hpp"
#include "exit_status.hpp"

namespace h2ws::cli {

/// Listens, echoes every websocket until SIGINT/SIGTERM, then stops gracefully.
/// Prints "listening on HOST:PORT" on stderr once bound (tests wait for that line).
exit_status run_serve(const serve_config& cfg);

}  // namespace h2ws::cli
