#include "scripted_server.hpp"

#include <utility>

namespace h2ws::test {

std::unique_ptr<server> make_scripted_server(
    server::executor_type ex, server_options opts,
    std::function<scripted_answer(const handshake_request&)> script,
    std::function<void(websocket, raw_stream_controls)> handler) {
  detail::next_server_script() = detail::script_hook{std::move(script), std::move(handler)};
  // Every stream goes to the raw handler: the server's own handler is never called.
  return std::make_unique<server>(std::move(ex), std::move(opts), [](websocket) {});
}

}  // namespace h2ws::test
