// A TCP relay on 127.0.0.1 for tests that need the network to misbehave: it can
// drop a connection (as a crash or a NAT reset would) or go silent (a black hole).
// It can also record the bytes that pass, per connection and direction, for tests that
// look at what is on the wire.
#pragma once

#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <random>
#include <string>
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
  /// The bytes one relayed connection carried, as the relay forwarded them.
  struct traffic {
    std::string from_client;  ///< accepted side -> target
    std::string from_server;  ///< target -> accepted side
  };
  enum class recording : bool { off, on };

  tcp_relay(boost::asio::io_context& ctx, std::uint16_t target, recording rec = recording::off)
      : state_(std::make_shared<state>(ctx, target, rec == recording::on)) {
    boost::asio::co_spawn(ctx, accept_loop(state_), boost::asio::detached);
  }
  ~tcp_relay() { stop(); }
  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  std::uint16_t port() const { return state_->acceptor.local_endpoint().port(); }
  /// From now on, bytes are swallowed in both directions; nothing is closed.
  void freeze() { state_->frozen = true; }
  /// Closes one relayed connection, picked at random; false when there is none.
  bool drop_random(std::mt19937& rng) {
    auto& pairs = state_->pairs;
    pairs.remove_if([](auto& p) { return !p->first.is_open(); });
    if (pairs.empty()) return false;
    auto it = pairs.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, pairs.size() - 1)(rng));
    close(**it);
    return true;
  }
  void stop() {
    boost::system::error_code ec;
    state_->acceptor.close(ec);
    for (auto& p : state_->pairs) close(*p);
  }
  /// With recording::on, the traffic of every connection relayed so far, in accept order
  /// (connections whose target refused are not listed); empty otherwise.
  const std::vector<std::shared_ptr<traffic>>& recorded() const { return state_->recorded; }

 private:
  using socket = boost::asio::ip::tcp::socket;
  using pair = std::pair<socket, socket>;
  // Shared with the coroutines, so that a read or an accept completing after the relay is
  // gone (before its io_context runs again) touches nothing freed.
  struct state {
    state(boost::asio::io_context& c, std::uint16_t t, bool rec)
        : ctx(c),
          acceptor(c, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          target(t),
          record(rec) {}
    boost::asio::io_context& ctx;
    boost::asio::ip::tcp::acceptor acceptor;
    std::uint16_t target;
    bool record;
    bool frozen = false;
    std::list<std::shared_ptr<pair>> pairs;
    std::vector<std::shared_ptr<traffic>> recorded;
  };

  static void close(pair& p) {
    boost::system::error_code ec;
    p.first.close(ec);
    p.second.close(ec);
  }
  static boost::asio::awaitable<void> pump(std::shared_ptr<state> s, std::shared_ptr<pair> p,
                                           std::shared_ptr<traffic> t, bool forward) {
    namespace asio = boost::asio;
    std::vector<char> buf(64 * 1024);
    auto& from = forward ? p->first : p->second;
    auto& to = forward ? p->second : p->first;
    for (;;) {
      auto [ec, n] =
          co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      if (s->frozen) continue;
      if (t) (forward ? t->from_client : t->from_server).append(buf.data(), n);
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n),
                                                 asio::as_tuple(asio::use_awaitable));
      if (wec) break;
    }
    close(*p);
  }
  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<state> s) {
    namespace asio = boost::asio;
    for (;;) {
      auto [ec, sock] = co_await s->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto p = std::make_shared<pair>(std::move(sock), socket(s->ctx));
      auto [cec] = co_await p->second.async_connect(
          {asio::ip::make_address("127.0.0.1"), s->target}, asio::as_tuple(asio::use_awaitable));
      if (cec) continue;
      if (!s->acceptor.is_open()) {  // stopped meanwhile
        close(*p);
        co_return;
      }
      s->pairs.push_back(p);
      std::shared_ptr<traffic> t;
      if (s->record) t = s->recorded.emplace_back(std::make_shared<traffic>());
      asio::co_spawn(s->ctx, pump(s, p, t, true), asio::detached);
      asio::co_spawn(s->ctx, pump(s, p, t, false), asio::detached);
    }
  }

  std::shared_ptr<state> state_;
};

}  // namespace h2ws::test
