// What one run of h2ws-bench measures: scenarios, shapes (sizes, counts) and limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace h2ws::bench {

/// The scenarios of bench/README.md ("Scenarios").
enum class scenario {
  latency,      ///< ping-pong echo of one message at a time: p50/p99 round trip
  throughput,   ///< pipelined echo of large messages (1 MiB, 4 in flight): MB/s, messages/s
  small,        ///< pipelined echo of 64 B messages (up to 1,000 in flight): MB/s, messages/s
  streams,      ///< N websockets on one connection, one message each, then idle: RSS per websocket
  connections,  ///< N connections with one websocket each: RSS per connection, time to open
};

std::string_view to_string(scenario s) noexcept;
std::optional<scenario> scenario_from_string(std::string_view name) noexcept;
/// Every scenario, in the order `--scenario all` runs them.
const std::vector<scenario>& all_scenarios();

/// Which byte stream carries the echo.
enum class transport_kind {
  h2ws,  ///< RFC 8441: a websocket on an HTTP/2 stream, through the h2ws library
  tcp,   ///< the floor: length-prefixed messages on plain TCP, plain Asio on both ends
  h1,    ///< RFC 6455: a websocket on an HTTP/1.1 connection after Upgrade, same h2ws server
};

/// "h2ws", "tcp" or "h1": the `transport` field of the result lines and the CLI's names.
std::string_view to_string(transport_kind t) noexcept;
std::optional<transport_kind> transport_from_string(std::string_view name) noexcept;

/// The command line, resolved.
struct bench_config {
  std::vector<scenario> scenarios;
  /// The h2ws echo server: "http://127.0.0.1:PORT/echo". Empty = start our own helper process.
  std::string url;
  /// The transports every case runs over, in this order (`--transport`, then `--baseline`);
  /// default h2ws alone.
  std::vector<transport_kind> transports{transport_kind::h2ws};
  /// 10x smaller counts (`--quick`).
  bool quick = false;
  /// latency and throughput over a range of sizes instead of the fixed shape.
  bool sweep = false;
  /// Message sizes for latency and throughput; empty = the scenario's default.
  std::vector<std::size_t> sizes;
  /// Overrides the main count of every scenario (round trips, messages, websockets, connections).
  std::optional<std::size_t> count;
  /// Overrides the number of messages in flight (throughput, small).
  std::optional<std::size_t> in_flight;
  /// throughput and small over this many connections, one websocket each (`--connections`).
  std::size_t connections = 1;
  /// Caps the measured phase of each case; a case stopped by it reports what it did in that time.
  std::optional<std::chrono::milliseconds> duration;
  /// Pin the client to one CPU and the helper servers to another (when two are available).
  bool pin = true;
};

/// One measured case: a scenario with its shape, run once per transport.
struct bench_case {
  scenario what = scenario::latency;
  std::size_t size = 64;   ///< message size in bytes
  std::size_t warmup = 0;  ///< round trips before timing (latency)
  std::size_t count = 0;   ///< round trips, messages, websockets or connections
  /// messages in flight (throughput, small); opens in flight (connections)
  std::size_t in_flight = 1;
  /// throughput, small: connections (one websocket each) that share `in_flight`
  std::size_t connections = 1;
  std::chrono::milliseconds time_cap{60'000};  ///< the measured phase stops here, whatever count
  std::chrono::milliseconds idle{0};           ///< streams, connections: idle time before the RSS
};

/// The cases `cfg` asks for, in run order: the fixed shapes of bench/README.md (or the sweep).
std::vector<bench_case> plan_cases(const bench_config& cfg);

}  // namespace h2ws::bench
