/// \file
/// h2ws error codes: one value per cause an application must tell apart.
#pragma once

#include <h2ws/export.hpp>

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace h2ws {

/// Errors reported by h2ws operations. Values are never renumbered: retired
/// values stay as placeholders so that logged numbers keep their meaning.
enum class error {
  /// The server's SETTINGS did not carry SETTINGS_ENABLE_CONNECT_PROTOCOL=1.
  no_extended_connect = 1,
  /// The server answered the extended CONNECT with a non-2xx status.
  refused,
  /// The server selected a subprotocol the client did not offer.
  unexpected_subprotocol,
  /// The server answered 2xx but ended the stream at once (END_STREAM).
  tunnel_closed,
  /// The stream was reset (RST_STREAM); the HTTP/2 code is on the websocket.
  stream_reset,
  /// The server sent GOAWAY and this stream was not processed, or no new stream may open.
  goaway,
  /// The transport closed or failed before the websocket was closed.
  connection_lost,
  /// An operation did not complete within its configured timeout.
  timeout,
  /// The websocket was closed (by the peer or by us); no more messages.
  closed,
  /// The operation was aborted because the websocket or connection was destroyed.
  operation_aborted,
  /// A message exceeded the configured maximum size (close code 1009).
  message_too_big,
  /// A frame exceeded the configured maximum frame size (close code 1009).
  frame_too_big,
  /// A frame used a reserved opcode (close code 1002).
  bad_opcode,
  /// A frame set RSV1/RSV2/RSV3 without a negotiated extension (close code 1002).
  bad_reserved_bits,
  /// A client received a masked frame from the server (close code 1002).
  masked_frame,
  /// A server received an unmasked frame from the client (close code 1002).
  unmasked_frame,
  /// A control frame was fragmented or carried more than 125 bytes (close code 1002).
  bad_control_frame,
  /// A continuation frame arrived with no message in progress (close code 1002).
  bad_continuation,
  /// A new text/binary frame arrived inside a fragmented message (close code 1002).
  bad_data_frame,
  /// A 64-bit payload length had its most significant bit set (close code 1002).
  bad_frame_length,
  /// A close frame carried a one-byte payload or a code that may not be sent (close code 1002).
  bad_close_frame,
  /// A text message or close reason was not valid UTF-8 (close code 1007).
  invalid_utf8,
  /// The HTTP/2 layer reported a protocol violation by the peer.
  http2_protocol_error,
  /// The URL could not be parsed or uses an unsupported scheme.
  bad_url,
  /// The server's answer to the CONNECT (or to the HTTP/1.1 Upgrade of the fallback)
  /// lacked a required header or was malformed.
  bad_handshake_response,
  /// The connection is closed or closing; no new websocket or request can start.
  connection_closed,
  /// No new stream can be created on this connection (the client's HTTP/2 stream ids
  /// are used up): open a new connection.
  too_many_streams,
  /// A close code given to close() may not be sent on the wire (1005, 1006, 1015, out of range).
  bad_close_code,
  /// A message was sent after the close handshake started (by us or by the peer).
  send_after_close,
  /// The peer ended the stream without a close frame (close code 1006).
  closed_without_handshake,
  /// The feature asked for is not implemented in this version of h2ws. No library call
  /// returns it today; the value is kept so that the numbers stay stable.
  not_implemented,
  /// The TLS server did not select HTTP/2 through ALPN.
  no_h2_alpn,
  /// The server's sec-websocket-extensions answer breaks RFC 7692 or RFC 6455 section 9.1
  /// (an extension or parameter not offered, a duplicate, an invalid value).
  bad_extension_negotiation,
  /// A permessage-deflate message did not inflate: corrupt or truncated data (close code 1007).
  inflate_failed,
  /// The HTTP proxy refused the CONNECT tunnel (its status is in the trace).
  proxy_refused,
  /// The HTTP proxy asked for credentials (407): give them in the proxy URL.
  proxy_auth_required,
  /// reconnecting_websocket: the message was accepted but the connection was lost before
  /// the server confirmed it; it may or may not have arrived. Send it again if it matters.
  message_not_sent,
  /// reconnecting_websocket: the queue of messages waiting for a reconnection is full
  /// (reconnect_options::max_queued_messages or max_queued_bytes).
  send_queue_full,
  /// reconnecting_websocket: disconnected, and reconnect_options::queue_while_disconnected
  /// is off, so the message failed at once.
  disconnected,
  /// reconnecting_websocket: reconnect_options::max_attempts attempts in a row failed.
  gave_up,
};

/// Families of errors, for coarse handling: `if (ec == h2ws::condition::handshake_failed)`.
enum class condition {
  /// The websocket could not be opened (refused, unsupported, malformed answer).
  handshake_failed = 1,
  /// The peer broke RFC 6455, RFC 8441 or RFC 9113.
  protocol_violation,
  /// The peer or the network went away (reset, GOAWAY, connection lost, timeout).
  peer_went_away,
};

/// The category of h2ws errors; its name() is "h2ws".
H2WS_API const boost::system::error_category& error_category() noexcept;
/// The category of h2ws conditions.
H2WS_API const boost::system::error_category& condition_category() noexcept;

/// Makes an error_code of the "h2ws" category; found by ADL, so `ec == h2ws::error::timeout`
/// and `boost::system::error_code ec = h2ws::error::closed;` work.
H2WS_API boost::system::error_code make_error_code(error e) noexcept;
/// Makes an error_condition of the "h2ws.condition" category; found by ADL, so
/// `ec == h2ws::condition::peer_went_away` works for any error_code.
H2WS_API boost::system::error_condition make_error_condition(condition c) noexcept;

}  // namespace h2ws

/// \cond
// Lets h2ws::error convert to error_code and h2ws::condition to error_condition implicitly.
// (Hidden from Doxygen, which cannot place these specialisations of Boost's traits.)
template <>
struct boost::system::is_error_code_enum<h2ws::error> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<h2ws::condition> : std::true_type {};
/// \endcond
