// Soak: many websockets over several connections through a TCP relay that
// drops connections at random. Checks that websockets which stay open lose and
// duplicate nothing, and that memory and file descriptors return to where they
// started. Bounded in time; not part of the default ctest run (see run_soak.sh).
#include <h2ws/h2ws.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <malloc.h>
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

// A TCP relay on 127.0.0.1 that can cut any of its connections, as a failing network would.
class relay {
 public:
  relay(asio::io_context& ctx, std::uint16_t target)
      : ctx_(ctx), acceptor_(ctx, {asio::ip::make_address("127.0.0.1"), 0}), target_(target) {
    asio::co_spawn(ctx_, accept_loop(), asio::detached);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& p : pairs_) close(*p);
  }
  bool drop_random(std::mt19937& rng) {
    pairs_.remove_if([](auto& p) { return !p->first.is_open(); });
    if (pairs_.empty()) return false;
    auto it = pairs_.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, pairs_.size() - 1)(rng));
    close(**it);
    return true;
  }

 private:
  using pair = std::pair<tcp::socket, tcp::socket>;
  static void close(pair& p) {
    boost::system::error_code ec;
    p.first.close(ec);
    p.second.close(ec);
  }
  asio::awaitable<void> pump(std::shared_ptr<pair> p, bool forward) {
    std::vector<char> buf(64 * 1024);
    auto& from = forward ? p->first : p->second;
    auto& to = forward ? p->second : p->first;
    for (;;) {
      auto [ec, n] =
          co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n),
                                                 asio::as_tuple(asio::use_awaitable));
      if (wec) break;
    }
    close(*p);
  }
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto p = std::make_shared<pair>(std::move(s), tcp::socket(ctx_));
      auto [cec] = co_await p->second.async_connect({asio::ip::make_address("127.0.0.1"), target_},
                                                    asio::as_tuple(asio::use_awaitable));
      if (cec) continue;
      pairs_.push_back(p);
      asio::co_spawn(ctx_, pump(p, true), asio::detached);
      asio::co_spawn(ctx_, pump(p, false), asio::detached);
    }
  }
  asio::io_context& ctx_;
  tcp::acceptor acceptor_;
  std::uint16_t target_;
  std::list<std::shared_ptr<pair>> pairs_;
};

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
  relay net(ctx, server.port());
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
