#include "config.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace h2ws::bench {
namespace {

using std::chrono::milliseconds;
constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

constexpr std::array<std::pair<scenario, std::string_view>, 5> scenario_names = {{
    {scenario::latency, "latency"},
    {scenario::throughput, "throughput"},
    {scenario::small, "small"},
    {scenario::streams, "streams"},
    {scenario::connections, "connections"},
}};

// Sizes of `--sweep`: 16 B .. 64 KiB for latency, up to 1 MiB for throughput.
constexpr std::array<std::size_t, 7> latency_sweep = {16,      64,       256,     KiB,
                                                      4 * KiB, 16 * KiB, 64 * KiB};
constexpr std::array<std::size_t, 9> throughput_sweep = {
    16, 64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB};

std::size_t scaled(std::size_t full, bool quick) {
  return quick ? std::max<std::size_t>(1, full / 10) : full;
}

}  // namespace

std::string_view to_string(scenario s) noexcept {
  for (const auto& [value, name] : scenario_names)
    if (value == s) return name;
  return "?";
}

std::optional<scenario> scenario_from_string(std::string_view name) noexcept {
  for (const auto& [value, n] : scenario_names)
    if (n == name) return value;
  return std::nullopt;
}

const std::vector<scenario>& all_scenarios() {
  static const std::vector<scenario> all = [] {
    std::vector<scenario> v;
    for (const auto& [value, name] : scenario_names) v.push_back(value);
    return v;
  }();
  return all;
}

std::string_view to_string(transport_kind t) noexcept {
  switch (t) {
    case transport_kind::h2ws:
      return "h2ws";
    case transport_kind::tcp:
      return "tcp";
    case transport_kind::h1:
      return "h1";
  }
  return "?";
}

std::optional<transport_kind> transport_from_string(std::string_view name) noexcept {
  for (auto t : {transport_kind::h2ws, transport_kind::tcp, transport_kind::h1})
    if (to_string(t) == name) return t;
  return std::nullopt;
}

std::vector<bench_case> plan_cases(const bench_config& cfg) {
  std::vector<bench_case> cases;
  const bool q = cfg.quick;
  auto sizes_or = [&](auto defaults) {
    if (!cfg.sizes.empty()) return cfg.sizes;
    return std::vector<std::size_t>(defaults.begin(), defaults.end());
  };
  auto finish = [&](bench_case c) {
    if (cfg.count) c.count = std::max<std::size_t>(1, *cfg.count);
    if (cfg.in_flight && c.what != scenario::latency)
      c.in_flight = std::max<std::size_t>(1, *cfg.in_flight);
    if (cfg.duration) c.time_cap = *cfg.duration;
    if (c.what == scenario::throughput || c.what == scenario::small)
      c.connections = std::max<std::size_t>(1, cfg.connections);
    c.warmup = std::min(c.warmup, c.count);
    cases.push_back(c);
  };
  // streams and connections: open `count`, one message each, then idle.
  auto idle_cases = [&](scenario s, std::size_t count, std::size_t in_flight) {
    for (auto size : sizes_or(std::array<std::size_t, 1>{64}))
      finish({.what = s,
              .size = size,
              .count = count,
              .in_flight = in_flight,
              .idle = milliseconds(q ? 100 : 500)});
  };

  for (auto s : cfg.scenarios) {
    switch (s) {
      case scenario::latency: {
        // Fixed shape: 64 B binary, 200 warm-up then 5,000 timed round trips.
        auto sizes = cfg.sweep ? sizes_or(latency_sweep) : sizes_or(std::array<std::size_t, 1>{64});
        for (auto size : sizes)
          finish({.what = s, .size = size, .warmup = scaled(200, q), .count = scaled(5000, q)});
        break;
      }
      case scenario::throughput: {
        if (!cfg.sweep && cfg.sizes.empty()) {
          // Fixed shape: 1 MiB binary, 4 in flight, 512 MiB echoed.
          finish({.what = s, .size = MiB, .count = scaled(512, q), .in_flight = 4});
          break;
        }
        // Sweep: about 256 MiB per size (at most 200,000 messages), about 1 MiB in flight.
        for (auto size : sizes_or(throughput_sweep)) {
          std::size_t count =
              std::clamp<std::size_t>(256 * MiB / std::max<std::size_t>(size, 1), 64, 200'000);
          std::size_t in_flight =
              std::clamp<std::size_t>(MiB / std::max<std::size_t>(size, 1), 4, 1000);
          finish({.what = s, .size = size, .count = scaled(count, q), .in_flight = in_flight});
        }
        break;
      }
      case scenario::small:
        // Fixed shape: 64 B binary, up to 1,000 in flight, 1,000,000 messages or 10 s.
        finish({.what = s,
                .size = 64,
                .count = scaled(1'000'000, q),
                .in_flight = 1000,
                .time_cap = milliseconds(q ? 1'000 : 10'000)});
        break;
      case scenario::streams:
        // Fixed shape: 1,000 websockets on one connection, all opened at once (in_flight 0;
        // --in-flight N opens N at a time), one message each (64 B, or --size), then idle.
        idle_cases(s, scaled(1000, q), 0);
        break;
      case scenario::connections:
        // 500 connections, one websocket each, opened 50 at a time, one message each (64 B,
        // or --size: what a connection keeps once a large message has gone through it).
        idle_cases(s, scaled(500, q), 50);
        break;
    }
  }
  return cases;
}

}  // namespace h2ws::bench
