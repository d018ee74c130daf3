// A scripted RFC 8441 server for conformance tests: answers each CONNECT as a
// script says and gives the test raw access to the stream's bytes, so it can put
// any frame, valid or not, on the wire and read exactly what the client sent.
#pragma once

#include "server/server_context.hpp"
#include <h2ws/server.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace h2ws::detail {

/// A server whose CONNECT answers come from `script`; 2xx streams reach
/// `handler` as raw websockets: send(message::binary(bytes)) writes bytes
/// verbatim, receive() yields the client's bytes in arbitrary chunks.
std::unique_ptr<server> make_scripted_server(
    server::executor_type ex, server_options opts,
    std::function<scripted_answer(const handshake_request&)> script,
    server::websocket_handler handler);

/// Ends the server's half of a raw stream (END_STREAM, no close frame).
void raw_end_stream(const websocket& ws);
/// Resets a raw stream with the given HTTP/2 error code.
void raw_reset(const websocket& ws, std::uint32_t error_code);

}  // namespace h2ws::detail
