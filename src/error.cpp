// The "h2ws" error category and the "h2ws.condition" category.
#include <h2ws/error.hpp>

#include <string>

namespace h2ws {

namespace {

class error_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "h2ws"; }

  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::no_extended_connect:
        return "The server does not support WebSockets over HTTP/2 (no "
               "SETTINGS_ENABLE_CONNECT_PROTOCOL).";
      case error::refused:
        return "The server refused the WebSocket request with a non-2xx status.";
      case error::unexpected_subprotocol:
        return "The server selected a subprotocol the client did not offer.";
      case error::tunnel_closed:
        return "The server accepted the WebSocket but ended the stream at once.";
      case error::stream_reset:
        return "The HTTP/2 stream carrying the WebSocket was reset.";
      case error::goaway:
        return "The server sent GOAWAY and the WebSocket stream was not processed.";
      case error::connection_lost:
        return "The connection closed or failed before the WebSocket was closed.";
      case error::timeout:
        return "The operation did not complete within its timeout.";
      case error::closed:
        return "The WebSocket is closed.";
      case error::operation_aborted:
        return "The operation was aborted because the WebSocket or connection was destroyed.";
      case error::message_too_big:
        return "A message exceeded the maximum message size.";
      case error::frame_too_big:
        return "A frame exceeded the maximum frame size.";
      case error::bad_opcode:
        return "The peer sent a frame with a reserved opcode.";
      case error::bad_reserved_bits:
        return "The peer sent a frame with reserved bits set that no extension allows.";
      case error::masked_frame:
        return "The server sent a masked frame.";
      case error::unmasked_frame:
        return "The client sent an unmasked frame.";
      case error::bad_control_frame:
        return "The peer sent a fragmented control frame or one longer than 125 bytes.";
      case error::bad_continuation:
        return "The peer sent a continuation frame with no message in progress.";
      case error::bad_data_frame:
        return "The peer started a new message inside a fragmented message.";
      case error::bad_frame_length:
        return "The peer sent a 64-bit frame length with the most significant bit set.";
      case error::bad_close_frame:
        return "The peer sent a close frame with a one-byte payload or an invalid close code.";
      case error::invalid_utf8:
        return "The peer sent a text message or close reason that is not valid UTF-8.";
      case error::http2_protocol_error:
        return "The peer violated the HTTP/2 protocol.";
      case error::bad_url:
        return "The URL could not be parsed or uses an unsupported scheme.";
      case error::bad_handshake_response:
        return "The server's answer to the WebSocket request was malformed or incomplete.";
      case error::connection_closed:
        return "The connection is closed or closing; no new WebSocket or request can start.";
      case error::too_many_streams:
        return "The peer's limit of concurrent streams is reached.";
      case error::bad_close_code:
        return "The close code may not be sent in a close frame.";
      case error::send_after_close:
        return "A message was sent after the WebSocket started closing.";
      case error::closed_without_handshake:
        return "The peer ended the stream without sending a close frame.";
      case error::not_implemented:
        return "The requested feature is not implemented in this version of h2ws.";
      case error::no_h2_alpn:
        return "The TLS server did not select HTTP/2 (ALPN h2).";
      case error::bad_extension_negotiation:
        return "The server's answer to the WebSocket extension offer breaks RFC 7692.";
      case error::inflate_failed:
        return "The peer sent a compressed message that could not be inflated.";
      case error::proxy_refused:
        return "The HTTP proxy refused to open a tunnel to the server.";
      case error::proxy_auth_required:
        return "The HTTP proxy requires authentication (407); put credentials in the proxy URL.";
      case error::message_not_sent:
        return "The connection was lost before the server confirmed this message; it may not "
               "have arrived.";
      case error::send_queue_full:
        return "Too many messages are waiting for the reconnection.";
      case error::disconnected:
        return "The WebSocket is reconnecting and messages are not queued meanwhile.";
      case error::gave_up:
        return "Every reconnection attempt failed; the WebSocket gave up.";
    }
    return "Unknown h2ws error.";
  }

  boost::system::error_condition default_error_condition(int ev) const noexcept override {
    switch (static_cast<error>(ev)) {
      case error::no_extended_connect:
      case error::no_h2_alpn:
      case error::refused:
      case error::unexpected_subprotocol:
      case error::tunnel_closed:
      case error::bad_handshake_response:
      case error::bad_url:
      case error::bad_extension_negotiation:
      case error::proxy_refused:
      case error::proxy_auth_required:
        return condition::handshake_failed;
      case error::bad_opcode:
      case error::bad_reserved_bits:
      case error::masked_frame:
      case error::unmasked_frame:
      case error::bad_control_frame:
      case error::bad_continuation:
      case error::bad_data_frame:
      case error::bad_frame_length:
      case error::bad_close_frame:
      case error::invalid_utf8:
      case error::http2_protocol_error:
      case error::inflate_failed:
        return condition::protocol_violation;
      case error::stream_reset:
      case error::goaway:
      case error::connection_lost:
      case error::timeout:
      case error::closed_without_handshake:
      case error::message_not_sent:
      case error::disconnected:
      case error::gave_up:
        return condition::peer_went_away;
      // Size limits are local policy, not a peer breaking an RFC; the rest are local states or
      // misuse. They belong to no family and compare equal only to themselves.
      case error::message_too_big:
      case error::frame_too_big:
      case error::closed:
      case error::operation_aborted:
      case error::connection_closed:
      case error::too_many_streams:
      case error::bad_close_code:
      case error::send_after_close:
      case error::not_implemented:
      case error::send_queue_full:
        break;
    }
    return {ev, *this};
  }
};

class condition_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "h2ws.condition"; }

  std::string message(int ev) const override {
    switch (static_cast<condition>(ev)) {
      case condition::handshake_failed:
        return "The WebSocket could not be opened.";
      case condition::protocol_violation:
        return "The peer violated the WebSocket or HTTP/2 protocol.";
      case condition::peer_went_away:
        return "The peer or the network went away.";
    }
    return "Unknown h2ws condition.";
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const error_category_impl category;
  return category;
}

const boost::system::error_category& condition_category() noexcept {
  static const condition_category_impl category;
  return category;
}

boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

boost::system::error_condition make_error_condition(condition c) noexcept {
  return {static_cast<int>(c), condition_category()};
}

}  // namespace h2ws
