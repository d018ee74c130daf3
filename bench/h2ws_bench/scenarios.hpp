// The scenarios, written once against client_factory: the same code measures h2ws and the floor.
#pragma once

#include "client.hpp"
#include "config.hpp"
#include "report.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <sys/types.h>

#include <boost/asio/awaitable.hpp>

namespace h2ws::bench {

/// How far the running case is, for the progress line on stderr.
struct progress {
  std::size_t done = 0;
  std::size_t total = 0;
};

/// The first connection or websocket of a case could not be opened: nothing was measured.
class setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs `c` over `factory`'s transport and returns its result line. Throws setup_error when the
/// server cannot be reached, and std::exception for any other failure (an error from the
/// transport, an echo that differs from what was sent).
/// `server_pid` is the echo server's process when its RSS can be read (a helper this tool
/// started, or --server-pid), else -1: streams and connections then report the server's RSS
/// growth too (`server_rss_*` fields), and leave those fields out otherwise.
asio::awaitable<json_line> run_case(client_factory& factory, const bench_case& c, progress& p,
                                    pid_t server_pid = -1);

/// The field that stands for the case in the h2ws/TCP comparison, e.g. "p50_us" for latency.
const char* headline_metric(scenario s);

}  // namespace h2ws::bench
