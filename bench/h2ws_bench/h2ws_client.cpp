// The h2ws side of the benchmark client, through the public API only: websockets over HTTP/2
// (RFC 8441), and over HTTP/1.1 Upgrade (RFC 6455) with options::force_http1. Both kinds use
// the same channel: only how a websocket is opened differs.
#include "client.hpp"
#include <h2ws/h2ws.hpp>
#include <h2ws/handler_allocator.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace h2ws::bench {
namespace {

using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

h2ws::options client_options() {
  h2ws::options o;
  o.connect_timeout = std::chrono::seconds(10);
  o.open_timeout = std::chrono::seconds(20);  // 1,000 opens at once on one connection
  o.close_timeout = std::chrono::seconds(2);
  return o;
}

class h2ws_channel final : public channel {
 public:
  // `conn` is empty for a websocket on a shared connection (the group keeps that one), and for
  // one opened by h2ws::connect (the websocket keeps its own connection alive).
  h2ws_channel(h2ws::connection conn, h2ws::websocket ws)
      : conn_(std::move(conn)), ws_(std::move(ws)), sends_(std::make_shared<send_state>()) {}

  void send(std::string payload) override {
    // The completion may come after this channel is gone: it only touches the shared state.
    // One completion handler per message: its memory comes from a per-thread free list.
    ws_.send(h2ws::message::binary(std::move(payload)),
             asio::bind_allocator(handler_allocator<void>(), [state = sends_](error_code ec) {
               if (ec && !state->error) state->error = ec;
             }));
  }

  void send_some(std::vector<std::string>& payloads) override {
    // One send_batch() and one completion for all of them; the vector it hands back is the
    // next batch's (two take turns), so the stream allocates no vector.
    auto batch = std::exchange(sends_->spare, {});
    for (auto& p : payloads) batch.push_back(h2ws::message::binary(std::move(p)));
    payloads.clear();
    ws_.send_batch(
        std::move(batch),
        asio::bind_allocator(handler_allocator<void>(),
                             [state = sends_](error_code ec, std::vector<h2ws::message> emptied) {
                               if (ec && !state->error) state->error = ec;
                               if (emptied.capacity() > state->spare.capacity())
                                 state->spare = std::move(emptied);
                             }));
  }

  asio::awaitable<std::string> receive() override {
    auto [ec, m] = co_await ws_.receive(tuple_awaitable);
    check(ec);
    co_return std::move(m).payload();
  }

  asio::awaitable<void> receive_some(std::vector<std::string>& into) override {
    auto [ec, batch] = co_await ws_.receive_batch(std::move(received_), max_batch, tuple_awaitable);
    check(ec);
    into.clear();
    for (auto& m : batch) into.push_back(std::move(m).payload());
    received_ = std::move(batch);  // its storage, for the next batch
  }

  asio::awaitable<void> close() override {
    auto [ec] = co_await ws_.close(h2ws::close_code::normal, "", tuple_awaitable);
    (void)ec;
  }

 private:
  void check(error_code ec) const {
    if (sends_->error) throw boost::system::system_error(sends_->error, "h2ws send");
    if (ec) throw boost::system::system_error(ec, "h2ws receive");
  }

  static constexpr std::size_t max_batch = 1024;
  // What the sends' completions report: the first error, and a vector to fill again.
  struct send_state {
    error_code error;
    std::vector<h2ws::message> spare;
  };

  h2ws::connection conn_;
  h2ws::websocket ws_;
  std::shared_ptr<send_state> sends_;
  std::vector<h2ws::message> received_;  // storage for the next receive_batch()
};

asio::awaitable<h2ws::connection> connect(const std::string& url) {
  auto ex = co_await asio::this_coro::executor;
  auto opts = client_options();
  auto [ec, conn] = co_await h2ws::connection::connect(ex, url, opts, tuple_awaitable);
  if (ec) throw boost::system::system_error(ec, "h2ws connect to " + url);
  co_return conn;
}

asio::awaitable<h2ws::websocket> open_on(h2ws::connection& conn) {
  auto path = conn.default_path();
  auto [ec, ws] = co_await conn.open_websocket(path, tuple_awaitable);
  if (ec) {
    auto what = "h2ws open_websocket " + path;
    if (ws.status() != 0) what += " (HTTP status " + std::to_string(ws.status()) + ")";
    throw boost::system::system_error(ec, what);
  }
  co_return ws;
}

class h2ws_group final : public channel_group {
 public:
  explicit h2ws_group(h2ws::connection conn) : conn_(std::move(conn)) {}

  asio::awaitable<std::unique_ptr<channel>> open_channel() override {
    auto ws = co_await open_on(conn_);
    co_return std::make_unique<h2ws_channel>(h2ws::connection(), std::move(ws));
  }

 private:
  h2ws::connection conn_;
};

class h2ws_factory final : public client_factory {
 public:
  explicit h2ws_factory(std::string url) : url_(std::move(url)) {}

  transport_kind kind() const override { return transport_kind::h2ws; }

  asio::awaitable<std::unique_ptr<channel>> open_connection() override {
    auto conn = co_await connect(url_);
    auto ws = co_await open_on(conn);
    co_return std::make_unique<h2ws_channel>(std::move(conn), std::move(ws));
  }

  asio::awaitable<std::unique_ptr<channel_group>> open_group() override {
    auto conn = co_await connect(url_);
    co_return std::make_unique<h2ws_group>(std::move(conn));
  }

 private:
  std::string url_;
};

// --- HTTP/1.1 Upgrade: one connection per websocket ----------------------------------------

asio::awaitable<std::unique_ptr<channel>> connect_h1(const std::string& url) {
  auto ex = co_await asio::this_coro::executor;
  auto opts = client_options();
  opts.force_http1 = true;
  auto [ec, ws] = co_await h2ws::connect(ex, url, opts, tuple_awaitable);
  if (ec) {
    auto what = "h2ws connect (HTTP/1.1 Upgrade) to " + url;
    if (ws.status() != 0) what += " (HTTP status " + std::to_string(ws.status()) + ")";
    throw boost::system::system_error(ec, what);
  }
  if (ws.http_version() != 1)  // the library took another way: the figures would lie
    throw std::runtime_error("h2ws connect with force_http1 opened an HTTP/" +
                             std::to_string(ws.http_version()) + " websocket");
  co_return std::make_unique<h2ws_channel>(h2ws::connection(), std::move(ws));
}

// No multiplexing over HTTP/1.1: each "websocket of the group" is a connection of its own.
class h1_group final : public channel_group {
 public:
  explicit h1_group(std::string url) : url_(std::move(url)) {}
  asio::awaitable<std::unique_ptr<channel>> open_channel() override {
    co_return co_await connect_h1(url_);
  }

 private:
  std::string url_;
};

class h1_factory final : public client_factory {
 public:
  explicit h1_factory(std::string url) : url_(std::move(url)) {}
  transport_kind kind() const override { return transport_kind::h1; }
  asio::awaitable<std::unique_ptr<channel>> open_connection() override {
    co_return co_await connect_h1(url_);
  }
  asio::awaitable<std::unique_ptr<channel_group>> open_group() override {
    co_return std::make_unique<h1_group>(url_);
  }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<client_factory> make_h2ws_factory(asio::any_io_executor, std::string url) {
  return std::make_unique<h2ws_factory>(std::move(url));
}

std::unique_ptr<client_factory> make_h1_factory(asio::any_io_executor, std::string url) {
  return std::make_unique<h1_factory>(std::move(url));
}

}  // namespace h2ws::bench
