// What every server-side connection shares: the options and the websocket handler.
#pragma once

#include <h2ws/server.hpp>

#include <atomic>
#include <cstddef>
#include <functional>

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
  server_options opts;
  server::websocket_handler handler;
  std::atomic<std::size_t> open_websockets{0};
  // Empty for a normal server. When set, every CONNECT to a served path is
  // answered as the script says, and 2xx streams reach `handler` in raw mode.
  std::function<scripted_answer(const handshake_request&)> script;
};

}  // namespace h2ws::detail
