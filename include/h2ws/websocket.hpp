/// \file
/// A WebSocket carried by one HTTP/2 stream (RFC 8441).
#pragma once

#include <h2ws/close_code.hpp>
#include <h2ws/export.hpp>
#include <h2ws/message.hpp>
#include <h2ws/options.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

namespace detail {
class websocket_impl;
struct websocket_owner;
// The candidate websocket::runs_on_strand() passes: comes back when a handler has no
// associated executor of its own.
struct no_associated_executor {};
}  // namespace detail

/// An open (or refused) WebSocket. Move-only; destroying the last handle of an
/// open websocket resets its stream (RST_STREAM CANCEL) and aborts pending operations.
///
/// Thread safety: send(), receive() and close() may be called from any thread;
/// operations run on the connection's strand and complete through the handler's
/// associated executor. Accessors are safe once the operation that set them completed.
class H2WS_API websocket {
 public:
  /// The executor type (a strand of the connection's executor).
  using executor_type = boost::asio::any_io_executor;
  /// The type-erased handler send(), close() and ping() forward to the library.
  using send_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  /// The type-erased handler receive() forwards to the library.
  using receive_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, message)>;
  /// The type-erased handler receive_batch() and send_batch() forward to the library.
  using batch_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::vector<message>)>;

  /// An empty handle, to move an opened websocket into later. Operations on it complete
  /// with error::operation_aborted.
  websocket() = default;
  /// Takes over `other`'s websocket; `other` becomes empty.
  websocket(websocket&&) noexcept = default;
  /// Takes over `other`'s websocket; the one this handle held is released as by the
  /// destructor.
  websocket& operator=(websocket&&) noexcept = default;
  /// Releases the handle. When the websocket is still open and no close handshake has
  /// started, its stream is reset (RST_STREAM CANCEL) and pending operations end with an
  /// error; a close handshake in progress finishes by itself.
  ~websocket();

  /// Sends one message.
  ///
  /// Any number of sends may be outstanding: they go out in call order. The
  /// operation completes when the whole message has been handed to HTTP/2 within
  /// the peer's flow-control window (so a slow peer slows the sender; nothing is dropped).
  ///
  /// Signature: `void(boost::system::error_code)`. Errors: error::send_after_close,
  /// error::connection_lost, error::stream_reset, error::operation_aborted.
  ///
  /// Cancellation (the handler's cancellation slot): terminal only. A send not yet handed to
  /// HTTP/2 then completes with error::operation_aborted and the websocket is abandoned
  /// (RST_STREAM CANCEL, as when its last handle goes): a half-sent message cannot be taken
  /// back. Other cancellation types are ignored.
  template <class Token>
  auto send(message m, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, websocket* self, message m) {
          const bool on_strand = self->runs_on_strand(handler);
          self->send_impl(std::move(m), send_handler(std::move(handler)), on_strand);
        },
        token, this, std::move(m));
  }

  /// Receives the next message. One receive may be outstanding at a time, in
  /// parallel with any number of sends. Pings are answered automatically.
  ///
  /// Signature: `void(boost::system::error_code, message)`. When the peer closes, the
  /// messages that arrived before its close frame are delivered first, then receive
  /// completes with error::closed and peer_close_code()/peer_close_reason() tell why.
  /// The peer's close is answered only once the application has taken those messages
  /// (bounded by options::close_timeout), so replies to them go out ahead of our close.
  /// Errors: error::closed, a protocol violation (the matching close code was sent;
  /// error::inflate_failed for compressed data that does not inflate),
  /// error::message_too_big, error::frame_too_big, error::closed_without_handshake,
  /// error::stream_reset, error::connection_lost, error::timeout (keepalive), error::goaway.
  ///
  /// Cancellation (the handler's cancellation slot, e.g. `co_await (ws.receive(use_awaitable)
  /// || timer.async_wait(use_awaitable))`): terminal, partial and total. The receive
  /// completes with error::operation_aborted, no message is lost (the next receive gets it)
  /// and the websocket stays usable.
  template <class Token>
  auto receive(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, message)>(
        [](auto handler, websocket* self) {
          const bool on_strand = self->runs_on_strand(handler);
          self->receive_impl(receive_handler(std::move(handler)), on_strand);
        },
        token, this);
  }

  /// Receives the messages that have arrived, at least one (it waits for the first) and
  /// at most `max` (0 counts as 1), in one completion: for an application that streams,
  /// one handler per batch of messages instead of one per message.
  ///
  /// Signature: `void(boost::system::error_code, std::vector<message>)`. The vector is
  /// `storage`, its content replaced by the messages in arrival order: pass back the one a
  /// completion returned and a steady stream allocates no vector (an empty `storage` takes
  /// spare storage of the thread's). On error the vector is empty, and the errors, the
  /// close and the cancellation are those of receive(). Shares receive()'s one outstanding
  /// receive: a receive() while a receive_batch() is pending fails with
  /// boost::asio::error::already_started, and the other way round.
  template <class Token>
  auto receive_batch(std::vector<message> storage, std::size_t max, Token&& token) {
    return boost::asio::async_initiate<Token,
                                       void(boost::system::error_code, std::vector<message>)>(
        [](auto handler, websocket* self, std::vector<message> storage, std::size_t max) {
          const bool on_strand = self->runs_on_strand(handler);
          self->receive_batch_impl(std::move(storage), max, batch_handler(std::move(handler)),
                                   on_strand);
        },
        token, this, std::move(storage), max);
  }

  /// Sends every message of `messages`, in order, as send() would one by one, with one
  /// completion once the last is handed to HTTP/2.
  ///
  /// Signature: `void(boost::system::error_code, std::vector<message>)`: the vector comes
  /// back empty, with its capacity, to fill again. An empty batch completes at once
  /// without error. Errors and cancellation are those of send(); on error none of the
  /// batch was queued, or (error::connection_lost, error::stream_reset,
  /// error::operation_aborted) it may have been sent in part.
  template <class Token>
  auto send_batch(std::vector<message> messages, Token&& token) {
    return boost::asio::async_initiate<Token,
                                       void(boost::system::error_code, std::vector<message>)>(
        [](auto handler, websocket* self, std::vector<message> messages) {
          const bool on_strand = self->runs_on_strand(handler);
          self->send_batch_impl(std::move(messages), batch_handler(std::move(handler)), on_strand);
        },
        token, this, std::move(messages));
  }

  /// Starts the close handshake: sends a close frame with `code` and `reason`
  /// (at most 123 bytes), then waits for the peer's close frame, bounded by
  /// options::close_timeout, and ends the stream. Messages that arrive before the
  /// peer's close frame can still be received; if the application stops reading,
  /// at most options::stream_window bytes of them are kept and the rest dropped.
  ///
  /// If the peer closed first, completes at once: messages not yet received are
  /// dropped and the peer's close is answered (with its code).
  ///
  /// Signature: `void(boost::system::error_code)`. Completes without error when
  /// the peer's close frame arrived (before or after ours). Errors: error::timeout
  /// (the stream was reset), error::bad_close_code, error::connection_lost.
  /// Cancellation: terminal only, as for send().
  template <class Token>
  auto close(close_code code, std::string_view reason, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, websocket* self, close_code code, std::string reason) {
          self->close_impl(static_cast<std::uint16_t>(code), std::move(reason),
                           send_handler(std::move(handler)));
        },
        token, this, code, std::string(reason));
  }

  /// Sends a ping frame carrying `payload` (at most 125 bytes) and completes when
  /// the matching pong arrives: a round-trip probe for this one stream.
  ///
  /// Signature: `void(boost::system::error_code)`. Errors: error::bad_control_frame
  /// (payload over 125 bytes), error::closed, error::connection_lost, error::stream_reset.
  /// Cancellation: terminal only, as for send().
  template <class Token>
  auto ping(std::string payload, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, websocket* self, std::string payload) {
          self->ping_impl(std::move(payload), send_handler(std::move(handler)));
        },
        token, this, std::move(payload));
  }

  /// The executor of the connection's strand.
  executor_type get_executor() const;

  /// True once opened and until closed, reset or lost.
  bool is_open() const;
  /// The HTTP/2 stream id (odd on the client).
  std::int32_t stream_id() const;
  /// The subprotocol the server selected; empty when none.
  const std::string& subprotocol() const;
  /// The negotiated extensions (`sec-websocket-extensions` of the answer), e.g.
  /// "permessage-deflate; client_max_window_bits=15"; empty when none.
  const std::string& extensions() const;
  /// The HTTP status of the answer to the CONNECT (200 when open; 0 when none arrived).
  unsigned status() const;
  /// The response headers of the answer to the CONNECT (or the request headers on the server).
  const header_list& handshake_headers() const;
  /// The request path (server side: what the client asked for).
  const std::string& path() const;
  /// The close code the peer sent (1005 when its close frame had none, 1006 when none arrived).
  std::uint16_t peer_close_code() const;
  /// The close reason the peer sent.
  std::string peer_close_reason() const;
  /// How the websocket is carried: 2 = an HTTP/2 stream (RFC 8441), 1 = an
  /// HTTP/1.1 connection after Upgrade (fallback), 0 = not open.
  int http_version() const;
  /// The HTTP/2 error code of an RST_STREAM that ended the stream (0 = none).
  std::uint32_t reset_code() const;

  /// Internal: wraps the library's websocket state. Applications get websockets from
  /// connection::open_websocket(), h2ws::connect() or a server's handler.
  explicit websocket(std::shared_ptr<detail::websocket_owner> owner);

 private:
  // `on_strand`: as for receive_impl().
  void send_impl(message m, send_handler handler, bool on_strand = false);
  // `on_strand`: the handler's associated executor is known (before type erasure) to run it
  // inline on the connection's strand; the library then need not ask the type-erased
  // handler for it (which allocates an any_completion_executor per message).
  void receive_impl(receive_handler handler, bool on_strand = false);
  void receive_batch_impl(std::vector<message> storage, std::size_t max, batch_handler handler,
                          bool on_strand);
  void send_batch_impl(std::vector<message> messages, batch_handler handler, bool on_strand);
  void close_impl(std::uint16_t code, std::string reason, send_handler handler);
  void ping_impl(std::string payload, send_handler handler);

  // Whether a handler's associated executor is the connection's strand, or none (then the
  // strand is used), or an io_context executor of the context the strand runs on.
  // Conservative: false when unsure.
  template <class Handler>
  bool runs_on_strand(const Handler& handler) const {
    using candidate = detail::no_associated_executor;
    using associated = boost::asio::associated_executor<Handler, candidate>;
    using executor = typename associated::type;
    if constexpr (std::is_same_v<executor, candidate>) {
      return true;
    } else if constexpr (std::is_same_v<executor, boost::asio::any_io_executor>) {
      return executor_runs_on_strand(associated::get(handler, candidate{}));
    } else {
      return false;
    }
  }
  bool executor_runs_on_strand(const boost::asio::any_io_executor& ex) const;

  std::shared_ptr<detail::websocket_owner> owner_;
};

}  // namespace h2ws
