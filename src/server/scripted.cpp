#include "server/scripted.hpp"

#include "detail/connection_impl.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"

#include <boost/asio/post.hpp>

namespace h2ws::detail {

struct websocket_access {
  static std::shared_ptr<websocket_impl> impl(const websocket& ws) {
    return ws.owner_ ? ws.owner_->impl : nullptr;
  }
};

std::unique_ptr<server> make_scripted_server(
    server::executor_type ex, server_options opts,
    std::function<scripted_answer(const handshake_request&)> script,
    server::websocket_handler handler) {
  auto ctx = std::make_shared<server_context>();
  ctx->opts = std::move(opts);
  ctx->script = std::move(script);
  ctx->handler = std::move(handler);
  return std::make_unique<server>(std::move(ex), std::move(ctx));
}

void raw_end_stream(const websocket& ws) {
  if (auto impl = websocket_access::impl(ws))
    boost::asio::post(impl->connection().strand(), [impl] { impl->raw_end_stream(); });
}

void raw_reset(const websocket& ws, std::uint32_t error_code) {
  if (auto impl = websocket_access::impl(ws))
    boost::asio::post(impl->connection().strand(),
                      [impl, error_code] { impl->raw_reset(error_code); });
}

}  // namespace h2ws::detail
