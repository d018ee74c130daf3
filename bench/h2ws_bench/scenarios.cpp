#include "scenarios.hpp"

#include "process.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/core.h>

namespace h2ws::bench {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}
double seconds(clock_type::duration d) { return std::chrono::duration<double>(d).count(); }

json_line start_line(const bench_case& c, transport_kind t) {
  json_line line;
  line.add("scenario", to_string(c.what));
  line.add("transport", to_string(t));
  line.add("size", std::uint64_t{c.size});
  return line;
}

void check_echo(const std::string& got, const std::string& sent) {
  // Sizes always; contents too when cheap, so a broken echo cannot pass for a fast one.
  if (got.size() != sent.size())
    throw std::runtime_error(
        fmt::format("a {}-byte message came back with {} bytes", sent.size(), got.size()));
  if (got.size() <= 4096 ? got != sent : got.compare(0, 64, sent, 0, 64) != 0)
    throw std::runtime_error(fmt::format("a {}-byte message came back altered", sent.size()));
}

asio::awaitable<void> sleep_for(clock_type::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(tuple_awaitable);
}

// The first open of a case: a failure there means there is nothing to measure.
asio::awaitable<std::unique_ptr<channel>> first_connection(client_factory& f) {
  std::string why;
  try {
    co_return co_await f.open_connection();
  } catch (const std::exception& e) {
    why = e.what();
  }
  throw setup_error(why);
}

asio::awaitable<std::unique_ptr<channel_group>> first_group(client_factory& f) {
  std::string why;
  try {
    co_return co_await f.open_group();
  } catch (const std::exception& e) {
    why = e.what();
  }
  throw setup_error(why);
}

asio::awaitable<std::unique_ptr<channel>> first_channel(channel_group& g) {
  std::string why;
  try {
    co_return co_await g.open_channel();
  } catch (const std::exception& e) {
    why = e.what();
  }
  throw setup_error(why);
}

asio::awaitable<void> echo_once(channel& ch, const std::string& payload) {
  ch.send(payload);
  auto back = co_await ch.receive();
  check_echo(back, payload);
}

// --- running many coroutines at once, bounded ----------------------------------------------------

struct pool_state {
  explicit pool_state(asio::any_io_executor ex) : wake(ex) {}
  std::size_t next = 0;
  std::size_t count = 0;
  std::size_t running = 0;
  std::exception_ptr failure;
  asio::steady_timer wake;
  std::function<asio::awaitable<void>(std::size_t)> body;
};

asio::awaitable<void> pool_worker(std::shared_ptr<pool_state> pool) {
  while (!pool->failure && pool->next < pool->count) {
    const std::size_t i = pool->next++;
    try {
      co_await pool->body(i);
    } catch (...) {
      if (!pool->failure) pool->failure = std::current_exception();
    }
  }
  --pool->running;
  pool->wake.cancel();
}

// Runs body(0) .. body(count - 1), at most `concurrency` at a time. The first failure is
// rethrown at once (the caller then exits the process: see main.cpp), without waiting for the
// bodies still running.
asio::awaitable<void> run_all(std::size_t count, std::size_t concurrency,
                              std::function<asio::awaitable<void>(std::size_t)> body) {
  auto ex = co_await asio::this_coro::executor;
  auto pool = std::make_shared<pool_state>(ex);
  pool->count = count;
  pool->body = std::move(body);
  pool->running = std::clamp<std::size_t>(concurrency, 1, std::max<std::size_t>(count, 1));
  for (std::size_t w = pool->running; w > 0; --w)
    asio::co_spawn(ex, pool_worker(pool), asio::detached);
  // Woken by each worker that ends; the short expiry covers a wake-up that came too early.
  while (pool->running > 0 && !pool->failure) {
    pool->wake.expires_after(std::chrono::milliseconds(20));
    co_await pool->wake.async_wait(tuple_awaitable);
  }
  if (pool->failure) std::rethrow_exception(pool->failure);
}

// The server's resident memory around the idle phase of streams and connections, when the
// server is a process whose /proc/PID/statm we can read (see run_case).
struct server_rss {
  pid_t pid = -1;
  std::uint64_t before = 0;
  std::uint64_t after = 0;

  void take_before() { before = rss_bytes(pid); }
  void take_after() { after = rss_bytes(pid); }
  // Adds server_rss_before_bytes, server_rss_after_bytes and server_rss_per_<unit>_bytes, or
  // nothing when either reading failed (no server process of ours, or it is gone).
  void report(json_line& line, const char* per_key, std::size_t count) const {
    if (before == 0 || after == 0) return;
    const auto grown = after > before ? after - before : 0;
    line.add("server_rss_before_bytes", before);
    line.add("server_rss_after_bytes", after);
    line.add(per_key, std::uint64_t{grown / std::max<std::size_t>(count, 1)});
  }
};

asio::awaitable<void> close_channel(std::unique_ptr<channel>& ch) {
  if (ch) co_await ch->close();
}

// --- the scenarios -------------------------------------------------------------------------------

asio::awaitable<json_line> run_latency(client_factory& f, const bench_case& c, progress& p) {
  auto ch = co_await first_connection(f);
  const std::string payload = make_payload(c.size);
  std::vector<double> samples;
  samples.reserve(c.count);
  std::string m = payload;  // the echo is sent again: no copy inside the timed loop
  const auto deadline = clock_type::now() + c.time_cap;
  bool capped = false;
  p.total = c.warmup + c.count;
  for (std::size_t i = 0; i < c.warmup + c.count; ++i) {
    const auto t0 = clock_type::now();
    if (t0 > deadline) {
      capped = true;
      break;
    }
    ch->send(std::move(m));
    m = co_await ch->receive();
    const auto t1 = clock_type::now();
    if (m.size() != payload.size()) check_echo(m, payload);
    if (i >= c.warmup) samples.push_back(micros(t1 - t0));
    p.done = i + 1;
  }
  check_echo(m, payload);
  co_await ch->close();

  double sum = 0;
  for (double s : samples) sum += s;
  const double mean = samples.empty() ? 0 : sum / static_cast<double>(samples.size());
  auto line = start_line(c, f.kind());
  line.add("count", std::uint64_t{samples.size()});
  line.add("p50_us", percentile(samples, 50), 1);
  line.add("p99_us", percentile(samples, 99), 1);
  line.add("mean_us", mean, 1);
  const auto [min, max] = std::minmax_element(samples.begin(), samples.end());
  line.add("min_us", samples.empty() ? 0.0 : *min, 1);
  line.add("max_us", samples.empty() ? 0.0 : *max, 1);
  line.add_flag("capped", capped);
  co_return line;
}

// throughput and small: `in_flight` messages always on their way, each echo sent out again,
// over `connections` channels (one websocket per connection) that share the count and the cap.
struct pipeline_totals {
  std::size_t sent = 0;
  std::size_t received = 0;
  bool capped = false;
};

// One channel's part: keeps `window` of the case's messages in flight on `ch` until the case's
// count is sent (or the cap is hit), then takes the remaining echoes.
asio::awaitable<void> pump(channel& ch, std::size_t window, const bench_case& c,
                           const std::string& payload, clock_type::time_point deadline,
                           pipeline_totals& t, progress& p) {
  std::size_t sent = 0;
  std::size_t received = 0;
  for (; sent < window && t.sent < c.count; ++sent, ++t.sent) ch.send(payload);
  // Reading the clock per message costs ~20 ns; every 64 small messages is enough.
  const std::size_t clock_every = c.size >= 4096 ? 1 : 64;
  // What came back at once is handled, and sent out again, as one batch (the channel's
  // receive_some() and send_some(): one completion per batch where the transport has them).
  std::vector<std::string> back;
  std::vector<std::string> again;
  while (received < sent) {
    co_await ch.receive_some(back);
    for (auto& m : back) {
      ++received;
      ++t.received;
      if (m.size() != payload.size()) check_echo(m, payload);
      if (t.sent < c.count && !t.capped) {
        if (t.received % clock_every == 0 && clock_type::now() > deadline) {
          t.capped = true;
        } else {
          again.push_back(std::move(m));
          ++sent;
          ++t.sent;
        }
      }
    }
    p.done = t.received;
    if (!again.empty()) ch.send_some(again);
  }
}

asio::awaitable<void> open_warm(client_factory& f, std::unique_ptr<channel>& slot,
                                const std::string& payload) {
  slot = co_await f.open_connection();
  co_await echo_once(*slot, payload);
}

asio::awaitable<json_line> run_pipelined(client_factory& f, const bench_case& c, progress& p) {
  const std::string payload = make_payload(c.size);
  const std::size_t n = std::max<std::size_t>(1, c.connections);
  std::vector<std::unique_ptr<channel>> channels(n);
  // One round trip on each first, so the connections' buffers and windows are set up before
  // timing. The first open tells a server that cannot be reached; the others, 50 at a time.
  channels[0] = co_await first_connection(f);
  co_await echo_once(*channels[0], payload);
  if (n > 1)
    co_await run_all(n - 1, 50,
                     [&](std::size_t i) { return open_warm(f, channels[i + 1], payload); });
  // `in_flight` is shared out evenly, at least one message per connection.
  std::vector<std::size_t> windows(n);
  std::size_t in_flight = 0;
  for (std::size_t i = 0; i < n; ++i) {
    windows[i] = std::max<std::size_t>(1, c.in_flight / n + (i < c.in_flight % n ? 1 : 0));
    in_flight += windows[i];
  }

  pipeline_totals t;
  p.total = c.count;
  const auto t0 = clock_type::now();
  const auto deadline = t0 + c.time_cap;
  if (n == 1) {
    co_await pump(*channels[0], windows[0], c, payload, deadline, t, p);
  } else {
    co_await run_all(n, n, [&](std::size_t i) {
      return pump(*channels[i], windows[i], c, payload, deadline, t, p);
    });
  }
  const double secs = seconds(clock_type::now() - t0);
  if (n == 1)
    co_await close_channel(channels[0]);
  else
    co_await run_all(n, n, [&](std::size_t i) { return close_channel(channels[i]); });

  auto line = start_line(c, f.kind());
  line.add("count", std::uint64_t{t.received});
  line.add("in_flight", std::uint64_t{in_flight});
  if (n > 1) line.add("connections", std::uint64_t{n});
  line.add("seconds", secs, 3);
  line.add("mb_s", static_cast<double>(t.received) * static_cast<double>(c.size) / 1e6 / secs, 1);
  line.add("msg_s", static_cast<double>(t.received) / secs, 0);
  line.add_flag("capped", t.capped);
  co_return line;
}

asio::awaitable<void> open_and_echo(channel_group& g, std::unique_ptr<channel>& slot,
                                    const std::string& payload, progress& p) {
  slot = co_await g.open_channel();
  co_await echo_once(*slot, payload);
  ++p.done;
}

asio::awaitable<json_line> run_streams(client_factory& f, const bench_case& c, progress& p,
                                       pid_t server_pid) {
  auto group = co_await first_group(f);
  const std::string payload = make_payload(c.size);
  // One websocket first: what the connection allocates once (HPACK tables, buffers) is then
  // already resident, and the difference below is what each further websocket costs. It is
  // closed again so that `count` streams fit a server limit of exactly `count` (`h2ws serve`
  // allows 1,000 by default).
  {
    auto warm = co_await first_channel(*group);
    co_await echo_once(*warm, payload);
    co_await warm->close();
  }

  std::vector<std::unique_ptr<channel>> channels(c.count);
  server_rss server{server_pid};
  server.take_before();
  const auto rss_before = rss_bytes();
  p.total = c.count;
  const auto t0 = clock_type::now();
  const std::size_t opening = c.in_flight ? c.in_flight : c.count;
  co_await run_all(c.count, opening,
                   [&](std::size_t i) { return open_and_echo(*group, channels[i], payload, p); });
  const auto opened = clock_type::now() - t0;
  co_await sleep_for(c.idle);
  const auto rss_after = rss_bytes();
  server.take_after();

  co_await run_all(c.count, c.count, [&](std::size_t i) { return close_channel(channels[i]); });

  const auto grown = rss_after > rss_before ? rss_after - rss_before : 0;
  auto line = start_line(c, f.kind());
  line.add("count", std::uint64_t{c.count});
  // Over TCP and HTTP/1.1 every "websocket" is a connection of its own: no multiplexing.
  line.add("carrier", f.kind() == transport_kind::h2ws ? "stream" : "connection");
  line.add("opens_in_flight", std::uint64_t{std::min(opening, c.count)});
  line.add("rss_before_bytes", rss_before);
  line.add("rss_after_bytes", rss_after);
  line.add("rss_per_ws_bytes", std::uint64_t{grown / std::max<std::size_t>(c.count, 1)});
  server.report(line, "server_rss_per_ws_bytes", c.count);
  line.add("open_ms", micros(opened) / 1000, 1);
  co_return line;
}

asio::awaitable<void> open_timed(client_factory& f, std::unique_ptr<channel>& slot, double& open_us,
                                 const std::string& payload, progress& p) {
  const auto t0 = clock_type::now();
  slot = co_await f.open_connection();
  open_us = micros(clock_type::now() - t0);
  co_await echo_once(*slot, payload);
  ++p.done;
}

asio::awaitable<json_line> run_connections(client_factory& f, const bench_case& c, progress& p,
                                           pid_t server_pid) {
  const std::string payload = make_payload(c.size);
  auto warm = co_await first_connection(f);
  co_await echo_once(*warm, payload);

  std::vector<std::unique_ptr<channel>> channels(c.count);
  std::vector<double> open_us(c.count);
  server_rss server{server_pid};
  server.take_before();
  const auto rss_before = rss_bytes();
  p.total = c.count;
  const auto t0 = clock_type::now();
  co_await run_all(c.count, c.in_flight, [&](std::size_t i) {
    return open_timed(f, channels[i], open_us[i], payload, p);
  });
  const auto opened = clock_type::now() - t0;
  co_await sleep_for(c.idle);
  const auto rss_after = rss_bytes();
  server.take_after();

  co_await run_all(c.count, c.count, [&](std::size_t i) { return close_channel(channels[i]); });
  co_await warm->close();

  const auto grown = rss_after > rss_before ? rss_after - rss_before : 0;
  auto line = start_line(c, f.kind());
  line.add("count", std::uint64_t{c.count});
  line.add("in_flight", std::uint64_t{c.in_flight});
  line.add("rss_before_bytes", rss_before);
  line.add("rss_after_bytes", rss_after);
  line.add("rss_per_conn_bytes", std::uint64_t{grown / std::max<std::size_t>(c.count, 1)});
  server.report(line, "server_rss_per_conn_bytes", c.count);
  line.add("open_p50_us", percentile(open_us, 50), 1);
  line.add("open_p99_us", percentile(open_us, 99), 1);
  line.add("open_total_ms", micros(opened) / 1000, 1);
  line.add("conn_s", static_cast<double>(c.count) / seconds(opened), 0);
  co_return line;
}

}  // namespace

asio::awaitable<json_line> run_case(client_factory& factory, const bench_case& c, progress& p,
                                    pid_t server_pid) {
  switch (c.what) {
    case scenario::latency:
      co_return co_await run_latency(factory, c, p);
    case scenario::throughput:
    case scenario::small:
      co_return co_await run_pipelined(factory, c, p);
    case scenario::streams:
      co_return co_await run_streams(factory, c, p, server_pid);
    case scenario::connections:
      co_return co_await run_connections(factory, c, p, server_pid);
  }
  throw std::logic_error("unknown scenario");
}

const char* headline_metric(scenario s) {
  switch (s) {
    case scenario::latency:
      return "p50_us";
    case scenario::throughput:
    case scenario::small:
      return "mb_s";
    case scenario::streams:
      return "rss_per_ws_bytes";
    case scenario::connections:
      return "rss_per_conn_bytes";
  }
  return "";
}

}  // namespace h2ws::bench
