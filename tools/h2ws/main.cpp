// h2ws: a command-line WebSocket client over HTTP/2 (RFC 8441), and `h2ws serve`, an
// RFC 8441 echo server. The behaviour and exit codes are documented in README.md, "The CLI".
#include "cli_options.hpp"
#include "client_session.hpp"
#include "exit_status.hpp"
#include "serve.hpp"

#include <cstdio>
#include <exception>

#include <fmt/core.h>

int main(int argc, char** argv) {
  using namespace h2ws::cli;
  try {
    const auto cmd = parse_command_line(argc, argv);
    switch (cmd.what) {
      case command_line::mode::client:
        return to_int(run_client(cmd.client));
      case command_line::mode::serve:
        return to_int(run_serve(cmd.serve));
      case command_line::mode::exit:
        return to_int(cmd.status);
    }
  } catch (const std::exception& e) {
    // Nothing should get here; if it does, say so instead of aborting with a core dump.
    fmt::print(stderr, "h2ws: internal error: {}\n", e.what());
  }
  return to_int(exit_status::connection_lost);
}
