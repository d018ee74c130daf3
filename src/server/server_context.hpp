// What every server-side connection shares: the options and the websocket handler.
#pragma once

#include <h2ws/server.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
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

struct server_context {
  std::atomic<std::size_t> open_connections{0};
  server_options opts;
  server::websocket_handler handler;
  std::atomic<std::size_t> open_websockets{0};
  // Empty for a normal server. When set, every CONNECT to a served path is
  // answered as the script says, and 2xx streams reach `handler` in raw mode.
  std::function<scripted_answer(const handshake_request&)> script;
};

/// A contained exception (a user callback threw): to `limits.trace` and to
/// server_options::on_error.
void report_contained(const server_context& ctx, const options& limits, std::string_view where,
                      std::exception_ptr e);

}  // namespace h2ws::detail
