// The one-call helper: a connection, then a websocket on it; with
// options::fallback (or force_http1), an HTTP/1.1 Upgrade where RFC 8441 is missing.
#include "api/fallback.hpp"
#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include "detail/websocket_impl.hpp"
#include "net/url.hpp"
#include <h2ws/connect.hpp>
#include <h2ws/error.hpp>

#include <memory>

#include <boost/asio/bind_cancellation_slot.hpp>

namespace h2ws::detail {

void connect_websocket_impl(boost::asio::any_io_executor ex, std::string url,
                            websocket_request request, options opts, open_handler_type handler) {
  fold_log_into_trace(opts);
  net::parsed_url parsed;
  ws::deflate_params checked;
  auto ec = net::parse_url(url, parsed);
  if (!ec && opts.compression) ec = deflate_params_of(opts.deflate, checked);
  if (ec) {
    complete_later(ex, std::move(handler), ec, websocket{});
    return;
  }
  if (skip_http2(parsed, opts))
    return open_over_http1(ex, std::move(parsed), std::move(request), std::move(opts),
                           std::move(handler));
  // Shared so every step can reach the one handler without copying it. Each step is bound
  // to the caller's cancellation slot: cancelling cancels the step under way.
  auto shared = std::make_shared<open_handler_type>(std::move(handler));
  const auto slot = shared->get_cancellation_slot();
  auto conn_opts = opts;
  connection::connect(
      ex, url, std::move(conn_opts),
      boost::asio::bind_cancellation_slot(
          slot, [ex, parsed, shared, slot, request = std::move(request), opts = std::move(opts)](
                    boost::system::error_code ec, connection conn) mutable {
            if (ec) {
              if (opts.fallback && connect_failure_means_no_http2(ec))
                return open_over_http1(ex, std::move(parsed), std::move(request), std::move(opts),
                                       std::move(*shared));
              return std::move(*shared)(ec, websocket{});
            }
            if (request.path.empty()) request.path = conn.default_path();
            conn.open_websocket(
                request, boost::asio::bind_cancellation_slot(
                             slot, [ex, parsed, shared, request, opts](boost::system::error_code ec,
                                                                       websocket ws) mutable {
                               if (ec && opts.fallback && open_failure_means_no_rfc8441(ec, ws))
                                 return open_over_http1(ex, std::move(parsed), std::move(request),
                                                        std::move(opts), std::move(*shared));
                               std::move (*shared)(ec, std::move(ws));
                             }));
          }));
}

}  // namespace h2ws::detail
