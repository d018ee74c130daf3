// A TCP relay on 127.0.0.1 for tests that need the network to misbehave: it can
// drop a connection (as a crash or a NAT reset would) or go silent (a black hole).
#pragma once

#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace h2ws::test {

class tcp_relay {
 public:
  tcp_relay(boost::asio::io_context& ctx, std::uint16_t target)
      : ctx_(ctx),
        acceptor_(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        target_(target) {
    boost::asio::co_spawn(ctx_, accept_loop(), boost::asio::detached);
  }
  ~tcp_relay() { stop(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  /// From now on, bytes are swallowed in both directions; nothing is closed.
  void freeze() { frozen_ = true; }
  /// Closes one relayed connection, picked at random; false when there is none.
  bool drop_random(std::mt19937& rng) {
    pairs_.remove_if([](auto& p) { return !p->first.is_open(); });
    if (pairs_.empty()) return false;
    auto it = pairs_.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, pairs_.size() - 1)(rng));
    close(**it);
    return true;
  }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& p : pairs_) close(*p);
  }

 private:
  using socket = boost::asio::ip::tcp::socket;
  using pair = std::pair<socket, socket>;
  static void close(pair& p) {
    boost::system::error_code ec;
    p.first.close(ec);
    p.second.close(ec);
  }
  boost::asio::awaitable<void> pump(std::shared_ptr<pair> p, bool forward) {
    namespace asio = boost::asio;
    std::vector<char> buf(64 * 1024);
    auto& from = forward ? p->first : p->second;
    auto& to = forward ? p->second : p->first;
    for (;;) {
      auto [ec, n] =
          co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      if (frozen_) continue;
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n),
                                                 asio::as_tuple(asio::use_awaitable));
      if (wec) break;
    }
    close(*p);
  }
  boost::asio::awaitable<void> accept_loop() {
    namespace asio = boost::asio;
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto p = std::make_shared<pair>(std::move(s), socket(ctx_));
      auto [cec] = co_await p->second.async_connect({asio::ip::make_address("127.0.0.1"), target_},
                                                    asio::as_tuple(asio::use_awaitable));
      if (cec) continue;
      pairs_.push_back(p);
      asio::co_spawn(ctx_, pump(p, true), asio::detached);
      asio::co_spawn(ctx_, pump(p, false), asio::detached);
    }
  }

  boost::asio::io_context& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t target_;
  bool frozen_ = false;
  std::list<std::shared_ptr<pair>> pairs_;
};

}  // namespace h2ws::test
