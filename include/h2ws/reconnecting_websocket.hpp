/// \file
/// A websocket that reopens itself after a loss, with exponential backoff and jitter.
#pragma once

#include <h2ws/close_code.hpp>
#include <h2ws/export.hpp>
#include <h2ws/message.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

namespace detail {
class reconnecting_impl;
}

/// What a reconnecting_websocket tells the application, on its strand.
struct reconnect_event {
  /// The kinds of event.
  enum class kind {
    /// A websocket is open (the first one, or again after a loss). Sends made inside the
    /// callback go out before the messages queued while disconnected: resubscribe here.
    connected,
    /// The websocket was lost; `reason` says how, `not_sent` how many accepted messages
    /// were not confirmed (their sends completed with error::message_not_sent).
    lost,
    /// An attempt to open failed; `reason` says why, `delay` is the wait before the next.
    attempt_failed,
    /// max_attempts attempts in a row failed, or a refusal was final: it has ended.
    gave_up,
  };
  /// What happened.
  kind what = kind::connected;
  /// Why the websocket was lost or the attempt failed (none on connected).
  boost::system::error_code reason;
  /// Attempts in a row that failed so far (0 on connected and lost).
  std::size_t attempt = 0;
  /// On lost: sends accepted but not confirmed, now failed with error::message_not_sent.
  std::size_t not_sent = 0;
  /// On lost and attempt_failed: the wait before the next attempt (backoff with jitter).
  duration delay{};
  /// On attempt_failed and gave_up after a refusal: the server's HTTP status (else 0).
  unsigned status = 0;
  /// On connected: the new websocket (subprotocol(), http_version(), ...). Null otherwise.
  const websocket* ws = nullptr;
};

/// How a reconnecting_websocket retries and what it does with messages meanwhile.
struct reconnect_options {
  /// The wait before the first retry; each failed attempt multiplies it by `multiplier`,
  /// up to `max_delay`.
  duration initial_delay = std::chrono::milliseconds(100);
  /// The longest wait between attempts.
  duration max_delay = std::chrono::seconds(10);
  /// Growth of the wait after each failed attempt in a row.
  double multiplier = 2.0;
  /// Each wait is shortened by a random fraction of at most this much (0 = no jitter,
  /// 1 = anything from 0 to the full delay), so that clients do not return in lockstep.
  double jitter = 0.5;
  /// Failed attempts in a row before giving up (error::gave_up). 0 = never give up.
  std::size_t max_attempts = 0;
  /// While disconnected, sends wait for the next websocket (true) or fail at once with
  /// error::disconnected (false).
  bool queue_while_disconnected = true;
  /// Bounds of that wait: beyond these a send fails with error::send_queue_full...
  std::size_t max_queued_messages = 1024;
  /// (payload bytes of the queued messages)
  std::size_t max_queued_bytes = 16 * 1024 * 1024;
  /// ...and a message queued for longer than this fails with error::timeout. 0 = no limit.
  duration max_queue_time = std::chrono::seconds(30);
  /// Told of every connection, loss and failed attempt (on the websocket's strand).
  std::function<void(const reconnect_event&)> on_event;
};

/// A websocket to one URL that survives losses: when the connection or the stream is lost
/// (not when it is closed normally), it opens a new one with exponential backoff and jitter,
/// the way Boost.Redis's `async_run` keeps a connection. Opens go through h2ws::connect,
/// so options::fallback, proxies and TLS settings apply to every attempt.
///
/// Guarantees about messages:
/// - A send completes without error only once the server confirmed it: a WebSocket ping
///   sent after the message was answered. The server's WebSocket layer had read the
///   message by then. Pings are batched: one covers every message written before it.
///   close() waits for the confirmations before it sends the close frame.
/// - A send accepted but not confirmed when the websocket is lost completes with
///   error::message_not_sent: it may or may not have reached the server. Nothing is
///   resent on its own (resending could duplicate); the application decides.
/// - Sends made while disconnected wait for the next websocket (bounded by count, bytes
///   and time), or fail at once with error::disconnected; they go out in call order after
///   the sends made inside the `connected` event.
/// - Messages from the server are received in order per websocket; what the server sent
///   on a lost websocket and was not received before the loss is gone.
///
/// An attempt that fails is retried, except a refusal another attempt will not change (a 4xx
/// status other than 408 and 429, a server without RFC 8441 and no fallback, a malformed
/// answer, a bad URL): that ends it at once with that error.
///
/// A loss is: the connection lost or reset, GOAWAY, a keepalive timeout, the stream
/// ended without a close frame, or a close frame from the server with 1001 (going away),
/// 1011, 1012 (service restart), 1013 (try again later) or 1014. Any other close from the
/// server, or a protocol violation, ends it: receive() and run() report why.
///
/// Thread safety: every member may be called from any thread; everything runs on one
/// strand of the executor.
class H2WS_API reconnecting_websocket {
 public:
  /// The executor type (a strand of the executor given to the constructor).
  using executor_type = boost::asio::any_io_executor;
  /// The type-erased handler run(), send() and close() forward to the library.
  using send_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  /// The type-erased handler receive() forwards to the library.
  using receive_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, message)>;

  /// A websocket to `url` (as for h2ws::connect), opened with `request` and `opts` at each
  /// attempt. Nothing happens until run().
  reconnecting_websocket(executor_type ex, std::string url, websocket_request request, options opts,
                         reconnect_options ropts = {});
  /// The same, opening the URL's own path.
  reconnecting_websocket(executor_type ex, std::string url, options opts,
                         reconnect_options ropts = {});
  /// Takes over `other`'s websocket; `other` becomes empty.
  reconnecting_websocket(reconnecting_websocket&&) noexcept = default;
  /// Stops this handle's websocket as the destructor does, then takes over `other`'s.
  reconnecting_websocket& operator=(reconnecting_websocket&& other) noexcept;
  /// Stops reconnecting and resets the current websocket, as websocket's destructor does.
  ~reconnecting_websocket();

  /// Opens the websocket and keeps it open until close(), a final close from the server,
  /// or max_attempts failures in a row; then completes.
  ///
  /// Signature: `void(boost::system::error_code)`. No error after close();
  /// error::operation_aborted when the handle was destroyed; error::closed
  /// when the server closed for good (peer_close_code() tells the code); error::gave_up;
  /// or the protocol violation that ended it.
  template <class Token>
  auto run(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, reconnecting_websocket* self) {
          self->run_impl(send_handler(std::move(handler)));
        },
        token, this);
  }

  /// Sends one message (see the class notes for what completion means).
  ///
  /// Signature: `void(boost::system::error_code)`. Errors: error::message_not_sent,
  /// error::disconnected, error::send_queue_full, error::timeout (queued too long),
  /// error::closed (after close() or the end).
  template <class Token>
  auto send(message m, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, reconnecting_websocket* self, message m) {
          self->send_impl(std::move(m), send_handler(std::move(handler)));
        },
        token, this, std::move(m));
  }

  /// Receives the next message from whichever websocket is open; waits across
  /// reconnections. One receive may be outstanding at a time.
  ///
  /// Signature: `void(boost::system::error_code, message)`. Errors: those of run(), once it
  /// has ended.
  template <class Token>
  auto receive(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, message)>(
        [](auto handler, reconnecting_websocket* self) {
          self->receive_impl(receive_handler(std::move(handler)));
        },
        token, this);
  }

  /// Stops reconnecting and closes the current websocket: once every send is confirmed
  /// (bounded by options::close_timeout), the close handshake. Messages still queued for a
  /// reconnection complete with error::message_not_sent.
  ///
  /// Signature: `void(boost::system::error_code)`.
  template <class Token>
  auto close(close_code code, std::string_view reason, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, reconnecting_websocket* self, close_code code, std::string reason) {
          self->close_impl(code, std::move(reason), send_handler(std::move(handler)));
        },
        token, this, code, std::string(reason));
  }

  /// The strand everything runs on.
  executor_type get_executor() const;
  /// True while a websocket is open.
  bool is_connected() const;
  /// How many times a websocket was opened (1 after the first connection).
  std::size_t connections() const;
  /// The close code of the server's last close frame (1006 when none).
  std::uint16_t peer_close_code() const;
  /// The reason in the server's last close frame.
  std::string peer_close_reason() const;

 private:
  void run_impl(send_handler handler);
  void send_impl(message m, send_handler handler);
  void receive_impl(receive_handler handler);
  void close_impl(close_code code, std::string reason, send_handler handler);

  std::shared_ptr<detail::reconnecting_impl> impl_;
};

}  // namespace h2ws
