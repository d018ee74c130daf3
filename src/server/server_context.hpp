// What every server-side connection shares: the options and the websocket handler.
#pragma once

#include <h2ws/server.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>

namespace h2ws::detail {

/// How a scripted server answers one extended CONNECT (conformance tests).
struct scripted_answer {
  unsigned status = 200;
  header_list headers;        // besides :status
  bool end_stream = false;    // END_STREAM on the answer's HEADERS
  bool never_answer = false;  // leave the CONNECT unanswered
  bool raw = true;            // the stream carries raw bytes: no codec on the server side
};

/// What a scripted server's handler gets besides the websocket: ways to end its raw stream
/// that a well-behaved server never takes.
struct raw_stream_controls {
  std::function<void()> end_stream;               ///< END_STREAM without a close frame
  std::function<void(std::uint32_t code)> reset;  ///< RST_STREAM with this HTTP/2 code
};

/// The test hook behind tests/support/scripted_server: a script for the next h2ws::server
/// constructed on this thread (which takes it and clears it). Every CONNECT to a served
/// path is then answered as the script says, and 2xx streams reach `raw_handler` in raw
/// mode instead of the server's handler. Not part of the public API.
struct script_hook {
  std::function<scripted_answer(const handshake_request&)> script;
  std::function<void(websocket, raw_stream_controls)> raw_handler;
};
std::optional<script_hook>& next_server_script();

struct server_context {
  std::atomic<std::size_t> open_connections{0};
  server_options opts;
  server::websocket_handler handler;
  std::atomic<std::size_t> open_websockets{0};
  // Empty for a normal server; set from next_server_script() (the test hook).
  std::function<scripted_answer(const handshake_request&)> script;
  std::function<void(websocket, raw_stream_controls)> raw_handler;
};

/// A contained exception (a user callback threw): to `limits.trace` and to
/// server_options::on_error.
void report_contained(const server_context& ctx, const options& limits, std::string_view where,
                      std::exception_ptr e);

}  // namespace h2ws::detail
