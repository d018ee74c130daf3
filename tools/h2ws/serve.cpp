#include "serve.hpp"

#include "site.hpp"
#include <h2ws/h2ws.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/core.h>

namespace h2ws::cli {
namespace {

std::string endpoint(const std::string& host, std::uint16_t port) {
  // An IPv6 address needs brackets, or its colons run into the port's.
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace

exit_status run_serve(const serve_config& cfg) {
  using namespace std::chrono_literals;
  const unsigned threads =
      cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  // One io_context per thread, each promised to that thread, so that a connection on one of
  // them runs without a strand. This one accepts and serves; the others only serve. Each
  // socket is used by its own thread only, so Asio may skip the lock around every socket
  // operation (UNSAFE_IO); with one thread nothing else ever touches the io_context (the
  // signals are delivered through it), so it may skip the scheduler's lock as well (UNSAFE).
  // With more, this thread hands accepted connections and stop() to the others: their
  // schedulers keep their lock.
  const int hint =
      threads == 1 ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE : BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO;
  boost::asio::io_context ioc(hint);
  std::vector<std::unique_ptr<boost::asio::io_context>> others;
  for (unsigned i = 1; i < threads; ++i)
    others.push_back(std::make_unique<boost::asio::io_context>(hint));

  h2ws::server_options opts;
  opts.paths = cfg.paths;
  opts.subprotocols = cfg.subprotocols;
  opts.max_concurrent_streams = cfg.max_streams;
  // Accept permessage-deflate from clients that offer it (they choose).
  opts.limits.compression = true;
  opts.tls_cert_file = cfg.tls_cert;
  opts.tls_key_file = cfg.tls_key;
  opts.reuse_port = cfg.reuse_port;
  if (!others.empty()) {
    opts.workers.push_back(ioc.get_executor());
    for (auto& other : others) opts.workers.push_back(other->get_executor());
  }
  if (!cfg.root.empty()) {
    opts.http_handler = [root = std::filesystem::path(cfg.root)](const h2ws::http_request& r) {
      return serve_file(root, r);
    };
  } else {
    // The page's websocket says which HTTP version carried it, then echoes.
    opts.http_handler = builtin_page;
    h2ws::route info;
    info.path = info_path;
    info.handler = info_websocket;
    opts.routes.push_back(std::move(info));
  }
  if (cfg.verbose) {
    opts.limits.trace = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  }
  h2ws::server server(ioc.get_executor(), std::move(opts), h2ws::echo);

  // Installed before listening, so a signal sent as soon as the port shows up is not lost.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    server.stop();
    ioc.stop();
  });

  if (const auto ec = server.listen(cfg.host, cfg.port)) {
    fmt::print(stderr, "h2ws: cannot listen on {}: {}\n", endpoint(cfg.host, cfg.port),
               ec.message());
    return exit_status::connect_failed;
  }
  // Scripts wait for this line and read the port from it (with --listen HOST:0).
  fmt::print(stderr, "listening on {}\n", endpoint(cfg.host, server.port()));
  std::fflush(stderr);

  // run(), not a loop of run_one(): each run_one() call starts with an empty per-thread
  // cache of operation memory, so every message would allocate again. The other threads
  // run until the end (the work guards), so their websockets can close below.
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<work_guard> guards;
  std::vector<std::jthread> pool;
  for (auto& other : others) {
    guards.push_back(boost::asio::make_work_guard(*other));
    pool.emplace_back([&io = *other] { io.run(); });
  }
  // Whatever way this returns, the other threads stop and are joined first.
  struct stop_others {
    std::vector<work_guard>& guards;
    std::vector<std::unique_ptr<boost::asio::io_context>>& others;
    ~stop_others() {
      guards.clear();
      for (auto& other : others) other->stop();
    }
  } stopper{guards, others};
  ioc.run();
  // stop() sent 1001 close frames and GOAWAY; give clients a moment to answer, bounded,
  // so they see a clean close rather than a dropped connection.
  ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (server.open_websockets() > 0 && std::chrono::steady_clock::now() < deadline &&
         !ioc.stopped()) {
    ioc.run_for(50ms);
  }
  ioc.run_for(100ms);  // the last frames and FINs
  return exit_status::ok;
}

}  // namespace h2ws::cli
