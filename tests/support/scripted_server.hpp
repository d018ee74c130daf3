// A scripted RFC 8441 server for conformance tests: answers each CONNECT as a script says
// and gives the test raw access to the stream's bytes, so it can put any frame, valid or
// not, on the wire and read exactly what the client sent. Built on the library's test hook
// (detail::next_server_script, src/server/server_context.hpp): no public API of its own.
#pragma once

#include "server/server_context.hpp"
#include <h2ws/server.hpp>

#include <functional>
#include <memory>

namespace h2ws::test {

using detail::raw_stream_controls;
using detail::scripted_answer;

/// A server whose CONNECT answers come from `script`; 2xx streams reach `handler` as raw
/// websockets: send(message::binary(bytes)) writes bytes verbatim, receive() yields the
/// client's bytes in arbitrary chunks, and `controls` end or reset the stream.
std::unique_ptr<server> make_scripted_server(
    server::executor_type ex, server_options opts,
    std::function<scripted_answer(const handshake_request&)> script,
    std::function<void(websocket, raw_stream_controls)> handler);

}  // namespace h2ws::test
