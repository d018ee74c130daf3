// The one-call helper: a connection, then a websocket on it; with
// options::fallback (or force_http1), an HTTP/1.1 Upgrade where RFC 8441 is missing.
#include "api/fallback_memory.hpp"
#include "detail/completion.hpp"
#include "http1/h1_connection.hpp"
#include "net/url.hpp"
#include <h2ws/connect.hpp>
#include <h2ws/error.hpp>

#include <memory>

#include <boost/asio/post.hpp>
#include <nghttp2/nghttp2.h>

namespace h2ws::detail {

namespace {

using handler_type =
    boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>;
using shared_handler = std::shared_ptr<handler_type>;

std::string origin_of(const net::parsed_url& url) {
  return (url.tls ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
}

void open_over_http1(boost::asio::any_io_executor ex, net::parsed_url url,
                     websocket_request request, options opts, shared_handler handler) {
  if (opts.trace) opts.trace("* opening the websocket with an HTTP/1.1 Upgrade");
  // Only a fallback is remembered: forced HTTP/1.1 says nothing about the server.
  if (opts.fallback && !opts.force_http1)
    fallback_memory::instance().remember(origin_of(url), opts.fallback_memory);
  auto conn = std::make_shared<h1_connection>(std::move(ex), std::move(opts));
  boost::asio::post(conn->strand(),
                    [conn, url = std::move(url), request = std::move(request), handler]() mutable {
                      conn->start(std::move(url), std::move(request),
                                  [handler](boost::system::error_code ec, websocket ws) {
                                    std::move (*handler)(ec, std::move(ws));
                                  });
                    });
}

// The connection itself showed the server does not speak HTTP/2 here.
bool connect_failure_means_no_http2(boost::system::error_code ec) {
  return ec == error::no_h2_alpn || ec == error::http2_protocol_error ||
         ec == error::connection_lost;
}

// The server advertised RFC 8441, or not, but will not open this websocket over HTTP/2.
bool open_failure_means_no_rfc8441(boost::system::error_code ec, const websocket& ws) {
  if (ec == error::no_extended_connect) return true;
  // REFUSED_STREAM only says "not now" (too many streams), not "no RFC 8441 here".
  if (ec == error::stream_reset) return ws.reset_code() != NGHTTP2_REFUSED_STREAM;
  auto status = ws.status();
  return ec == error::refused && (status == 405 || status == 501 || status == 502);
}

}  // namespace

void connect_websocket_impl(boost::asio::any_io_executor ex, std::string url,
                            websocket_request request, options opts, handler_type handler) {
  net::parsed_url parsed;
  if (auto ec = net::parse_url(url, parsed)) {
    complete_later(ex, std::move(handler), ec, websocket{});
    return;
  }
  // Shared so every step can reach the one handler without copying it.
  auto shared = std::make_shared<handler_type>(std::move(handler));
  if (opts.force_http1)
    return open_over_http1(ex, std::move(parsed), std::move(request), std::move(opts), shared);
  if (opts.fallback && fallback_memory::instance().remembers(origin_of(parsed))) {
    if (opts.trace)
      opts.trace("* " + origin_of(parsed) + " lacked RFC 8441 a moment ago: skipping HTTP/2");
    return open_over_http1(ex, std::move(parsed), std::move(request), std::move(opts), shared);
  }

  auto conn_opts = opts;
  connection::connect(ex, url, std::move(conn_opts),
                      [ex, parsed, shared, request = std::move(request), opts = std::move(opts)](
                          boost::system::error_code ec, connection conn) mutable {
                        if (ec) {
                          if (opts.fallback && connect_failure_means_no_http2(ec))
                            return open_over_http1(ex, std::move(parsed), std::move(request),
                                                   std::move(opts), shared);
                          return std::move(*shared)(ec, websocket{});
                        }
                        if (request.path.empty()) request.path = conn.default_path();
                        conn.open_websocket(
                            request, [ex, parsed, shared, request, opts](
                                         boost::system::error_code ec, websocket ws) mutable {
                              if (ec && opts.fallback && open_failure_means_no_rfc8441(ec, ws))
                                return open_over_http1(ex, std::move(parsed), std::move(request),
                                                       std::move(opts), shared);
                              std::move (*shared)(ec, std::move(ws));
                            });
                      });
}

}  // namespace h2ws::detail
