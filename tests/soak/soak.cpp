// Soak: many websockets over several connections through a TCP relay that
// drops connections at random. Checks that websockets which stay open lose and
// duplicate nothing, and that memory and file descriptors return to where they
// started. Bounded in time; not part of the default ctest run (see run_soak.sh).
#include "tcp_relay.hpp"
#include <h2ws/h2ws.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <list>
#include <malloc.h>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::size_t resident_bytes() {
  // Hand freed heap back to the kernel first: what stays resident is then what is still in use.
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

struct tallies {
  std::uint64_t echoed = 0;              // messages that came back as sent
  std::uint64_t lost_or_duplicated = 0;  // on websockets that were still open: must stay 0
  std::uint64_t websockets_lost = 0;     // ended by a dropped connection (expected)
  std::uint64_t reopened = 0;
};

// One websocket's life: send numbered messages, expect each echo in order.
asio::awaitable<void> chatter(h2ws::websocket ws, tallies& t, const bool& stopping) {
  std::uint64_t seq = 0;
  std::string tag = std::to_string(reinterpret_cast<std::uintptr_t>(&ws));
  while (!stopping) {
    auto payload = tag + ":" + std::to_string(seq);
    auto [sec] =
        co_await ws.send(h2ws::message::text(payload), asio::as_tuple(asio::use_awaitable));
    if (sec) break;
    auto [rec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    if (m.text() != payload) {
      ++t.lost_or_duplicated;
      break;
    }
    ++t.echoed;
    ++seq;
  }
  if (stopping) {
    co_await ws.close(h2ws::close_code::normal, "", asio::as_tuple(asio::use_awaitable));
  } else {
    ++t.websockets_lost;
  }
}

// One connection with N websockets; when it is dropped, open a fresh one (bounded).
asio::awaitable<void> connection_worker(std::string url, int websockets, tallies& t,
                                        const bool& stopping) {
  auto ex = co_await asio::this_coro::executor;
  h2ws::options opts;
  opts.connect_timeout = 5s;
  opts.open_timeout = 5s;
  opts.close_timeout = 2s;
  for (int round = 0; round < 10'000 && !stopping; ++round) {
    auto [ec, conn] =
        co_await h2ws::connection::connect(ex, url, opts, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      asio::steady_timer pause(ex, 100ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (round > 0) ++t.reopened;
    int running = 0;
    for (int i = 0; i < websockets; ++i) {
      auto [oec, ws] = co_await conn.open_websocket("/echo", asio::as_tuple(asio::use_awaitable));
      if (oec) break;
      ++running;
      asio::co_spawn(
          ex,
          [ws = std::move(ws), &t, &stopping, &running]() mutable -> asio::awaitable<void> {
            co_await chatter(std::move(ws), t, stopping);
            --running;
          },
          asio::detached);
    }
    while (running > 0) {
      asio::steady_timer pause(ex, 50ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 10;
  const int per_connection = argc > 3 ? std::atoi(argv[3]) : 100;

  // The server runs on its own thread, as it would in its own process.
  asio::io_context server_ctx;
  h2ws::server_options sopts;
  sopts.max_concurrent_streams = 1000;
  h2ws::server server(server_ctx.get_executor(), sopts, h2ws::echo);
  if (server.listen("127.0.0.1", 0)) return 2;
  auto server_work = asio::make_work_guard(server_ctx);
  std::thread server_thread([&] { server_ctx.run(); });

  asio::io_context ctx;
  h2ws::test::tcp_relay net(ctx, server.port());
  auto url = "ws://127.0.0.1:" + std::to_string(net.port()) + "/echo";
  tallies t;
  bool stopping = false;
  std::mt19937 rng(12345);

  // Warm up one round so the baseline includes what stays allocated for good.
  ctx.run_for(500ms);
  const auto rss_before = resident_bytes();
  const auto fds_before = open_fds();

  for (int c = 0; c < connections; ++c)
    asio::co_spawn(ctx, connection_worker(url, per_connection, t, stopping), asio::detached);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int drops = 0;
  std::size_t rss_peak = 0;
  while (std::chrono::steady_clock::now() < end) {
    ctx.run_for(2s);
    if (net.drop_random(rng)) ++drops;
    rss_peak = std::max(rss_peak, resident_bytes());
    std::fprintf(stderr, "soak: %llu echoed, %d drops, %llu websockets lost, rss %zu KiB\n",
                 static_cast<unsigned long long>(t.echoed), drops,
                 static_cast<unsigned long long>(t.websockets_lost), resident_bytes() / 1024);
  }
  stopping = true;
  ctx.run_for(5s);  // every chatter closes with 1000 and every connection winds down
  net.stop();
  ctx.run_for(1s);
  server.stop();
  server_work.reset();
  std::this_thread::sleep_for(3s);
  server_ctx.stop();
  server_thread.join();
  ctx.run_for(500ms);

  const auto rss_after = resident_bytes();
  const auto fds_after = open_fds();
  std::printf(
      "{\"scenario\":\"soak\",\"seconds\":%d,\"connections\":%d,\"websockets_per_connection\":%d,"
      "\"echoed\":%llu,\"drops\":%d,\"websockets_lost\":%llu,\"reconnects\":%llu,"
      "\"lost_or_duplicated\":%llu,\"rss_before\":%zu,\"rss_peak\":%zu,\"rss_after\":%zu,"
      "\"fds_before\":%zu,\"fds_after\":%zu}\n",
      seconds, connections, per_connection, static_cast<unsigned long long>(t.echoed), drops,
      static_cast<unsigned long long>(t.websockets_lost),
      static_cast<unsigned long long>(t.reopened),
      static_cast<unsigned long long>(t.lost_or_duplicated), rss_before, rss_peak, rss_after,
      fds_before, fds_after);
  bool ok = t.lost_or_duplicated == 0 && t.echoed > 0 && fds_after <= fds_before + 2 &&
            rss_after <= rss_before + std::max<std::size_t>(rss_before / 5, 8u << 20);
  if (!ok) std::fprintf(stderr, "soak: FAILED\n");
  return ok ? 0 : 1;
}
