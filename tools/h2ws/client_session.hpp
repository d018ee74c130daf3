// The client mode of the CLI: one websocket between stdin/stdout and a server.
#pragma once

#include "cli_options.hpp"
#include "exit_status.hpp"

namespace h2ws::cli {

/// Connects, opens the websocket, sends stdin lines and prints received messages until
/// the websocket ends; returns the exit status README.md documents ("The CLI"). Reports
/// every failure on stderr.
exit_status run_client(const client_config& cfg);

}  // namespace h2ws::cli
