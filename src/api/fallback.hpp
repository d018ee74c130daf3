// The HTTP/1.1 Upgrade fallback, shared by h2ws::connect and h2ws::client: when to
// take it, and how to open a websocket that way.
#pragma once

#include "net/url.hpp"
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <string>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::detail {

using open_handler_type =
    boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>;

/// "https://host:port": the key fallback_memory keeps origins under.
std::string origin_of(const net::parsed_url& url);

/// True when `opts` send this origin straight to HTTP/1.1: force_http1, or fallback with
/// the origin remembered as lacking RFC 8441 (traced).
bool skip_http2(const net::parsed_url& url, const options& opts);

/// The connection attempt itself showed that the server does not speak HTTP/2 here.
bool connect_failure_means_no_http2(boost::system::error_code ec);

/// The server advertised RFC 8441, or not, but will not open this websocket over HTTP/2.
bool open_failure_means_no_rfc8441(boost::system::error_code ec, const websocket& ws);

/// Opens the websocket over a new HTTP/1.1 connection with an Upgrade; a fallback
/// (not a forced HTTP/1.1) remembers the origin in fallback_memory.
void open_over_http1(boost::asio::any_io_executor ex, net::parsed_url url,
                     websocket_request request, options opts, open_handler_type handler);

}  // namespace h2ws::detail
