// What every server-side connection shares: the options and the websocket handler.
#pragma once

#include <h2ws/server.hpp>

#include <atomic>
#include <cstddef>

namespace h2ws::detail {

struct server_context {
  server_options opts;
  server::websocket_handler handler;
  std::atomic<std::size_t> open_websockets{0};
};

}  // namespace h2ws::detail
