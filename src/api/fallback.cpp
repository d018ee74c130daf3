// When h2ws falls back to the HTTP/1.1 Upgrade, and the fallback itself.
#include "api/fallback.hpp"

#include "api/fallback_memory.hpp"
#include "http1/h1_connection.hpp"
#include "ws/stream_errors.hpp"
#include <h2ws/error.hpp>

#include <memory>

#include <boost/asio/post.hpp>

namespace h2ws::detail {

std::string origin_of(const net::parsed_url& url) {
  return (url.tls ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
}

bool skip_http2(const net::parsed_url& url, const options& opts) {
  if (opts.force_http1) return true;
  if (!opts.fallback || !fallback_memory::instance().remembers(origin_of(url))) return false;
  if (opts.trace)
    opts.trace("* " + origin_of(url) + " lacked RFC 8441 a moment ago: skipping HTTP/2");
  return true;
}

bool connect_failure_means_no_http2(boost::system::error_code ec) {
  return ec == error::no_h2_alpn || ec == error::http2_protocol_error ||
         ec == error::connection_lost;
}

bool open_failure_means_no_rfc8441(boost::system::error_code ec, const websocket& ws) {
  if (ec == error::no_extended_connect) return true;
  // REFUSED_STREAM only says "not now" (too many streams), not "no RFC 8441 here".
  if (ec == error::stream_reset) return ws.reset_code() != ws::stream_refused;
  auto status = ws.status();
  return ec == error::refused && (status == 405 || status == 501 || status == 502);
}

void open_over_http1(boost::asio::any_io_executor ex, net::parsed_url url,
                     websocket_request request, options opts, open_handler_type handler) {
  if (opts.trace) opts.trace("* opening the websocket with an HTTP/1.1 Upgrade");
  // Only a fallback is remembered: forced HTTP/1.1 says nothing about the server.
  if (opts.fallback && !opts.force_http1)
    fallback_memory::instance().remember(origin_of(url), opts.fallback_memory);
  auto conn = std::make_shared<h1_connection>(std::move(ex), std::move(opts));
  auto shared = std::make_shared<open_handler_type>(std::move(handler));
  boost::asio::post(conn->strand(),
                    [conn, url = std::move(url), request = std::move(request), shared]() mutable {
                      conn->start(std::move(url), std::move(request),
                                  [shared](boost::system::error_code ec, websocket ws) {
                                    std::move (*shared)(ec, std::move(ws));
                                  });
                    });
}

}  // namespace h2ws::detail
