// h2ws-bench: measures h2ws (RFC 8441 websockets over HTTP/2) against the floor of plain TCP
// and against the same library and server over HTTP/1.1 Upgrade (RFC 6455).
// bench/README.md ("Scenarios") is the contract for the scenarios and the output.
#include "client.hpp"
#include "config.hpp"
#include "exit_status.hpp"
#include "process.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "servers.hpp"
#include <h2ws/version.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/core.h>

namespace h2ws::bench {
namespace {

constexpr std::string_view footer = R"(
Scenarios (the fixed shapes of bench/README.md; --quick divides every count by 10):
  latency      ping-pong echo, one message at a time: 64 B binary, 200 warm-up then 5,000
               timed round trips -> p50_us, p99_us (with --sweep: 16 B .. 64 KiB)
  throughput   pipelined echo: 1 MiB binary, 4 in flight, 512 MiB echoed -> mb_s, msg_s
               (with --sweep: 16 B .. 1 MiB, about 1 MiB in flight)
  small        pipelined echo: 64 B binary, up to 1,000 in flight, 1,000,000 messages or
               10 s -> mb_s, msg_s
               (throughput and small with --connections N: N connections with one websocket
               each, the messages in flight shared out evenly, at least one per connection)
  streams      1,000 websockets on one connection, all opened at once (--in-flight N: N
               at a time), one message each, then idle -> rss_per_ws_bytes (client RSS
               from /proc/self/statm, after minus before; all at once, it includes what
               the opening burst left resident);
               over tcp and h1 each one is a connection of its own ("carrier":"connection")
  connections  500 connections with one websocket each, opened 50 at a time ->
               rss_per_conn_bytes, open_p50_us, open_p99_us, open_total_ms
               (streams and connections: server_rss_per_ws_bytes / server_rss_per_conn_bytes
               too, from the server's /proc/PID/statm, when the tool started the server or
               --server-pid names it; absent otherwise)
  MB = 10^6 bytes of payload echoed (counted once, not per direction).

Servers:
  Without --url the tool starts the project's own echo server (h2ws::server with h2ws::echo,
  as `h2ws serve`) in a child process on 127.0.0.1 and stops it at exit. --baseline tcp starts
  a second child, a plain Asio echo of length-prefixed messages (4-byte big-endian length,
  then the payload), and runs every case over it too, with the same client code: the floor.
  --baseline h1 runs every case again against the same h2ws server, each websocket opened
  with an HTTP/1.1 Upgrade (RFC 6455) on a connection of its own, through the same library.
  --transport picks the transports instead of h2ws (e.g. --transport h1 --url URL: only the
  HTTP/1.1 client, against a running server).
  With two CPUs or more, the client runs on the first and the servers on the second.
  Only 127.0.0.1 is used: --url must name a loopback host.

Output:
  One JSON object per line on stdout for each case and transport ("h2ws", "tcp" or "h1"), e.g.
  {"scenario":"latency","transport":"h2ws","size":64,"count":5000,"p50_us":...,"p99_us":...}
  Progress and the ratios of h2ws to each baseline go to stderr.

Exit status:
  0  every case ran
  1  usage error
  2  nothing measured: the server did not start or answer, or the baseline is not available
  3  a case failed part way, or hit the wall-clock limit (the lines already printed stand))";

[[noreturn]] void fatal(exit_status status, const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "h2ws-bench: %s\n", message.c_str());
  std::fflush(stderr);
  kill_all_helpers();
  // Coroutines of the failed case may still refer to each other: leave without unwinding them.
  _exit(to_int(status));
}

// Checks that `url` is h2c to a loopback host; explains a refusal in `why`.
bool acceptable_url(const std::string& url, std::string& why) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    why = "--url: expected http://HOST:PORT/PATH";
    return false;
  }
  auto scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "ws") {
    why = "--url: only cleartext h2c URLs (http:// or ws://) are supported";
    return false;
  }
  auto rest = url.substr(scheme_end + 3);
  auto host_end = rest.find_first_of("/?");
  auto hostport = rest.substr(0, host_end);
  std::string host;
  if (!hostport.empty() && hostport.front() == '[') {
    host = hostport.substr(0, hostport.find(']') + 1);
  } else {
    host = hostport.substr(0, hostport.find(':'));
  }
  if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
    why = "--url: only loopback hosts (127.0.0.1, localhost, [::1]) may be benchmarked";
    return false;
  }
  return true;
}

// Runs one case to completion on `ctx`, with a progress line on stderr for long runs and a
// wall-clock limit after which the process gives up.
json_line run_bounded(asio::io_context& ctx, client_factory& factory, const bench_case& c,
                      pid_t server_pid) {
  using clock_type = std::chrono::steady_clock;
  const std::string label =
      fmt::format("{}/{} size={}", to_string(c.what), to_string(factory.kind()), c.size);
  struct outcome {
    bool done = false;
    std::exception_ptr failure;
    json_line line;
  };
  auto result = std::make_shared<outcome>();
  progress p;
  asio::steady_timer watchdog(ctx);
  const auto start = clock_type::now();
  const auto limit = c.time_cap + c.idle + std::chrono::seconds(60);

  asio::co_spawn(ctx, run_case(factory, c, p, server_pid),
                 [&, result](std::exception_ptr e, json_line line) {
                   result->failure = e;
                   result->line = std::move(line);
                   result->done = true;
                   watchdog.cancel();
                   ctx.stop();
                 });
  auto next_report = start + std::chrono::seconds(2);
  std::function<void()> arm = [&] {
    watchdog.expires_after(std::chrono::milliseconds(200));
    // `result` by value: a tick that expired just before the case ended may still run
    // after this function returned (in a later run of the context), and must stop here.
    watchdog.async_wait([&, result](boost::system::error_code ec) {
      if (ec || result->done) return;
      const auto now = clock_type::now();
      if (now - start > limit)
        fatal(exit_status::run_failed,
              fmt::format("{}: did not finish within {} s ({}/{} done)", label,
                          std::chrono::duration_cast<std::chrono::seconds>(limit).count(), p.done,
                          p.total));
      if (now >= next_report) {
        fmt::print(stderr, "h2ws-bench: {}: {}/{} ({:.1f} s)\n", label, p.done, p.total,
                   std::chrono::duration<double>(now - start).count());
        next_report += std::chrono::seconds(1);
      }
      arm();
    });
  };
  arm();
  ctx.restart();
  ctx.run();
  if (!result->done) fatal(exit_status::run_failed, label + ": ran out of work without finishing");
  if (result->failure) {
    try {
      std::rethrow_exception(result->failure);
    } catch (const setup_error& e) {
      fatal(exit_status::setup_failed, fmt::format("{}: cannot open: {}", label, e.what()));
    } catch (const std::exception& e) {
      fatal(exit_status::run_failed, fmt::format("{}: failed: {}", label, e.what()));
    }
  }
  return result->line;
}

void print_ratio(const bench_case& c, const json_line& h2ws_line, const json_line& other_line,
                 std::string_view other) {
  const char* key = headline_metric(c.what);
  auto a = h2ws_line.number(key);
  auto b = other_line.number(key);
  if (!a || !b || *b == 0) return;
  fmt::print(stderr, "h2ws-bench: {} size={}: {} h2ws={:.1f} {}={:.1f} h2ws/{}={:.2f}\n",
             to_string(c.what), c.size, key, *a, other, *b, other, *a / *b);
}

int run(int argc, char** argv) {
  CLI::App app{
      "h2ws-bench: latency, throughput and memory of h2ws (WebSocket over HTTP/2,\n"
      "RFC 8441) next to the floor of plain TCP and to HTTP/1.1 Upgrade (--baseline h1).\n"
      "Results are JSON lines on stdout."};
  app.footer(std::string(footer));
  app.get_formatter()->column_width(34);

  std::string url;
  std::vector<std::string> scenario_names;
  std::vector<std::string> baselines, transport_names;
  bench_config cfg;
  std::optional<std::size_t> count, in_flight, connections;
  std::optional<double> duration_s;
  bool no_pin = false;
  std::optional<std::uint16_t> serve_port, serve_tcp_port;
  std::optional<pid_t> url_server_pid;
  std::string server_echo = "h2ws";

  app.add_option("--url", url,
                 "RFC 8441 echo server to measure, http://HOST:PORT/PATH (loopback only); "
                 "default: start the project's own echo server in a child process");
  app.add_option("--scenario", scenario_names,
                 "latency, throughput, small, streams, connections, or all (repeatable; "
                 "default all)");
  app.add_option("--baseline", baselines,
                 "tcp: also run every case over a plain TCP echo of length-prefixed messages; "
                 "h1: also over HTTP/1.1 Upgrade to the same h2ws server, one connection per "
                 "websocket (repeatable)")
      ->check(CLI::IsMember({"tcp", "h1"}));
  app.add_option("--transport", transport_names,
                 "h2ws, h1 or tcp: run the cases over these instead of h2ws (repeatable; "
                 "--baseline adds to them)")
      ->check(CLI::IsMember({"h2ws", "h1", "tcp"}));
  app.add_flag("--quick", cfg.quick, "10x smaller counts (and 1 s instead of 10 s for small)");
  app.add_flag("--sweep", cfg.sweep,
               "latency over 16 B .. 64 KiB and throughput over 16 B .. 1 MiB");
  app.add_option("--size", cfg.sizes,
                 "message size in bytes for latency and throughput (repeatable; overrides the "
                 "fixed shape or the sweep), and of the one message each websocket of streams "
                 "and connections echoes")
      ->check(CLI::Range(std::size_t{0}, std::size_t{64} * 1024 * 1024 - 1024));
  app.add_option("--count", count,
                 "round trips (latency), messages (throughput, small), websockets (streams) or "
                 "connections (connections)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  app.add_option("--in-flight", in_flight,
                 "messages in flight (throughput, small), or opens in flight (streams: default all "
                 "at once; connections)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--connections", connections,
                 "throughput and small over N connections with one websocket each (default 1); "
                 "the messages in flight are shared out over them")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}));
  app.add_option("--duration", duration_s,
                 "cap of each case's measured phase in seconds (default 10 for small, 60 "
                 "otherwise); a capped case reports what it did in that time")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_option("--server-pid", url_server_pid,
                 "with --url: the process id of that server (e.g. a running `h2ws serve`), so "
                 "that streams and connections report its RSS growth too")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()));
  app.add_flag("--no-pin", no_pin, "do not pin the client and the servers to separate CPUs");
  app.add_option("--serve-internal", serve_port, "run the h2ws echo server (child mode)")
      ->group("");
  // Diagnostic: which echo handler our own h2ws server runs. "pipelined" does not wait for
  // each send to complete before the next receive, to tell server-side costs from client-side.
  app.add_option("--server-echo", server_echo, "echo handler of the internal server (diagnostic)")
      ->check(CLI::IsMember({"h2ws", "pipelined"}))
      ->group("");
  app.add_option("--serve-tcp-internal", serve_tcp_port, "run the TCP echo server (child mode)")
      ->group("");
  app.set_version_flag("--version", std::string("h2ws-bench ") + h2ws::version_string);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? to_int(exit_status::ok) : to_int(exit_status::usage);
  }

  if (serve_port) return serve_h2ws_echo(*serve_port, server_echo == "pipelined");
  if (serve_tcp_port) return serve_tcp_echo(*serve_tcp_port);

  // --transport replaces the default h2ws; --baseline adds after it. Each transport once.
  cfg.transports.clear();
  if (transport_names.empty()) transport_names.push_back("h2ws");
  for (const auto* names : {&transport_names, &baselines}) {
    for (const auto& name : *names) {
      auto t = transport_from_string(name);  // checked by CLI11 already
      if (t && std::find(cfg.transports.begin(), cfg.transports.end(), *t) == cfg.transports.end())
        cfg.transports.push_back(*t);
    }
  }
  cfg.count = count;
  cfg.in_flight = in_flight;
  if (connections) cfg.connections = *connections;
  if (duration_s)
    cfg.duration = std::chrono::milliseconds(static_cast<std::int64_t>(*duration_s * 1000));
  cfg.pin = !no_pin;
  if (scenario_names.empty()) scenario_names.push_back("all");
  for (const auto& name : scenario_names) {
    if (name == "all") {
      for (auto s : all_scenarios()) cfg.scenarios.push_back(s);
      continue;
    }
    auto s = scenario_from_string(name);
    if (!s) {
      fmt::print(stderr,
                 "h2ws-bench: unknown scenario '{}'\nRun with --help for more information.\n",
                 name);
      return to_int(exit_status::usage);
    }
    cfg.scenarios.push_back(*s);
  }
  if (!url.empty()) {
    std::string why;
    if (!acceptable_url(url, why)) {
      fmt::print(stderr, "h2ws-bench: {}\n", why);
      return to_int(exit_status::usage);
    }
  }
  cfg.url = url;
  if (url_server_pid) {
    if (url.empty()) {
      fmt::print(stderr,
                 "h2ws-bench: --server-pid needs --url (without it, the tool starts its "
                 "own server and reads that one's RSS)\n");
      return to_int(exit_status::usage);
    }
    if (rss_bytes(*url_server_pid) == 0) {
      fmt::print(stderr, "h2ws-bench: --server-pid: cannot read /proc/{}/statm\n", *url_server_pid);
      return to_int(exit_status::usage);
    }
  }

  raise_file_limit();
  install_signal_handlers();

  // Servers first (fork before any thread exists), then pin ourselves.
  const auto cpus = allowed_cpus();
  const bool pin = cfg.pin && cpus.size() >= 2;
  const int server_cpu = pin ? cpus[1] : -1;
  auto uses = [&](transport_kind t) {
    return std::find(cfg.transports.begin(), cfg.transports.end(), t) != cfg.transports.end();
  };
  std::optional<helper_process> h2ws_server, tcp_server;
  // h2ws and h1 both talk to the h2ws server: RFC 8441 and HTTP/1.1 on one port.
  if (cfg.url.empty() && (uses(transport_kind::h2ws) || uses(transport_kind::h1))) {
    std::string why;
    std::vector<std::string> extra;
    if (server_echo != "h2ws") extra = {"--server-echo", server_echo};
    h2ws_server = helper_process::start("--serve-internal", extra, server_cpu, why);
    if (!h2ws_server) fatal(exit_status::setup_failed, "cannot start the h2ws echo server: " + why);
    cfg.url = fmt::format("http://127.0.0.1:{}/echo", h2ws_server->port());
  }
  if (uses(transport_kind::tcp)) {
    std::string why;
    tcp_server = helper_process::start("--serve-tcp-internal", {}, server_cpu, why);
    if (!tcp_server) fatal(exit_status::setup_failed, "cannot start the TCP echo server: " + why);
  }
  if (pin && (h2ws_server || tcp_server)) {
    if (pin_to_cpu(cpus[0]))
      fmt::print(stderr, "h2ws-bench: client on CPU {}, servers on CPU {}\n", cpus[0], cpus[1]);
  }

  // One thread runs it and uses its sockets, and nothing else posts to it: Asio may skip
  // its locks (UNSAFE), as an application run by one thread may. A host name ("localhost")
  // is the exception: the resolver's thread posts its answer back, so the scheduler keeps
  // its lock then (UNSAFE_IO). Addresses need no resolver.
  const bool resolves = cfg.url.find("://localhost") != std::string::npos;
  asio::io_context ctx(resolves ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO
                                : BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  std::vector<std::unique_ptr<client_factory>> factories;
  for (auto t : cfg.transports) {
    switch (t) {
      case transport_kind::h2ws:
        factories.push_back(make_h2ws_factory(ctx.get_executor(), cfg.url));
        break;
      case transport_kind::h1:
        factories.push_back(make_h1_factory(ctx.get_executor(), cfg.url));
        break;
      case transport_kind::tcp:
        factories.push_back(make_tcp_factory(ctx.get_executor(), tcp_server->port()));
        break;
    }
  }

  // The server each transport talks to, when its RSS can be read: a helper of ours, or the
  // process named by --server-pid.
  auto server_pid = [&](transport_kind t) -> pid_t {
    if (t == transport_kind::tcp) return tcp_server ? tcp_server->pid() : -1;
    if (h2ws_server) return h2ws_server->pid();
    return url_server_pid.value_or(-1);
  };
  for (const auto& c : plan_cases(cfg)) {
    std::optional<json_line> h2ws_line;
    for (auto& factory : factories) {
      auto line = run_bounded(ctx, *factory, c, server_pid(factory->kind()));
      if (server_echo != "h2ws" && h2ws_server && factory->kind() != transport_kind::tcp)
        line.add("server_echo", server_echo);
      emit(line);
      if (factory->kind() == transport_kind::h2ws)
        h2ws_line = line;
      else if (h2ws_line)
        print_ratio(c, *h2ws_line, line, to_string(factory->kind()));
    }
  }
  // Let the last GOAWAYs and FINs go out before the servers stop.
  ctx.restart();
  ctx.run_for(std::chrono::milliseconds(100));
  if (h2ws_server) h2ws_server->stop();
  if (tcp_server) tcp_server->stop();
  return to_int(exit_status::ok);
}

}  // namespace
}  // namespace h2ws::bench

int main(int argc, char** argv) {
  try {
    return h2ws::bench::run(argc, argv);
  } catch (const std::exception& e) {
    h2ws::bench::fatal(h2ws::bench::exit_status::run_failed,
                       std::string("internal error: ") + e.what());
  }
}
