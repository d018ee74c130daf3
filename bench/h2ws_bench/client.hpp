// The client side of a benchmark, behind one interface so that every scenario runs the same
// code over h2ws (RFC 8441), over h2ws's HTTP/1.1 Upgrade path and over the plain TCP floor
// (the shape of nghttp2's h2load_session.h).
#pragma once

#include "config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace h2ws::bench {

namespace asio = boost::asio;

/// One ordered, message-oriented echo channel: a websocket, or one TCP connection carrying
/// length-prefixed messages. Runs on the executor it was opened on; not thread safe.
class channel {
 public:
  virtual ~channel() = default;

  /// Queues one binary message. Never waits: any number of sends may be outstanding, and they
  /// go out in call order. A failure is reported by the next receive().
  virtual void send(std::string payload) = 0;

  /// The next message that came back. Throws boost::system::system_error on any failure
  /// (including an earlier failed send).
  virtual asio::awaitable<std::string> receive() = 0;

  /// The messages that came back, at least one, in order, in `into` (its content replaced).
  /// The default takes one receive(); h2ws takes what has arrived (websocket::receive_batch).
  virtual asio::awaitable<void> receive_some(std::vector<std::string>& into) {
    into.clear();
    into.push_back(co_await receive());
  }

  /// Queues every payload of `payloads` (left empty), in order, as send() one by one would.
  /// h2ws queues them with one call and one completion (websocket::send_batch).
  virtual void send_some(std::vector<std::string>& payloads) {
    for (auto& p : payloads) send(std::move(p));
    payloads.clear();
  }

  /// Ends the channel in an orderly way (close handshake or FIN), bounded by the library's
  /// close timeout. Errors are ignored: the measurement is over.
  virtual asio::awaitable<void> close() = 0;
};

/// A connection that carries several channels: many websockets on one HTTP/2 connection.
/// Over TCP and HTTP/1.1 there is no multiplexing, so every channel is a connection of its own.
class channel_group {
 public:
  virtual ~channel_group() = default;
  /// Opens one more channel; any number of opens may run at once.
  virtual asio::awaitable<std::unique_ptr<channel>> open_channel() = 0;
};

/// Opens connections and channels of one transport to one echo server.
class client_factory {
 public:
  virtual ~client_factory() = default;
  virtual transport_kind kind() const = 0;
  /// A new connection with one channel on it.
  virtual asio::awaitable<std::unique_ptr<channel>> open_connection() = 0;
  /// A new connection for many channels (see channel_group).
  virtual asio::awaitable<std::unique_ptr<channel_group>> open_group() = 0;
};

/// h2ws: connects to `url` (h2c), opens websockets on the URL's path.
std::unique_ptr<client_factory> make_h2ws_factory(asio::any_io_executor ex, std::string url);
/// h1: the same library and server, each websocket an HTTP/1.1 Upgrade on a connection of its
/// own (h2ws::connect with options::force_http1).
std::unique_ptr<client_factory> make_h1_factory(asio::any_io_executor ex, std::string url);
/// The floor: plain TCP to 127.0.0.1:`port`, 4-byte big-endian length + payload per message.
std::unique_ptr<client_factory> make_tcp_factory(asio::any_io_executor ex, std::uint16_t port);

}  // namespace h2ws::bench
