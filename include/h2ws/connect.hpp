/// \file
/// One call from a URL to an open websocket.
#pragma once

#include <h2ws/connection.hpp>
#include <h2ws/export.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <string>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

namespace h2ws {

namespace detail {
H2WS_API void connect_websocket_impl(
    boost::asio::any_io_executor ex, std::string url, websocket_request request, options opts,
    boost::asio::any_completion_handler<void(boost::system::error_code, websocket)> handler);
}

/// Opens a fresh connection to `url` and a websocket on it: `request.path`
/// (empty = the URL's path and query), subprotocols and headers as given.
/// The websocket keeps its connection alive; nothing else shares it.
///
/// With options::fallback, when the server does not do RFC 8441 (ALPN without h2, an h2c
/// preface refused, no ENABLE_CONNECT_PROTOCOL, the CONNECT answered 405/501/502 or reset
/// with any code but REFUSED_STREAM) the websocket is opened with an HTTP/1.1 Upgrade on a
/// new connection instead; options::force_http1 always does that. websocket::http_version()
/// tells which way it opened.
///
/// Signature: `void(boost::system::error_code, websocket)`. Errors: those of
/// connection::connect and connection::open_websocket; on the HTTP/1.1 path also
/// error::bad_handshake_response (a wrong Sec-WebSocket-Accept, a malformed answer).
/// Cancellation: terminal, forwarded to the step under way (connect, open, or the
/// HTTP/1.1 Upgrade).
template <class Token>
auto connect(boost::asio::any_io_executor ex, std::string_view url, websocket_request request,
             options opts, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, websocket)>(
      [](auto handler, boost::asio::any_io_executor ex, std::string url, websocket_request request,
         options opts) {
        detail::connect_websocket_impl(
            std::move(ex), std::move(url), std::move(request), std::move(opts),
            boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>(
                std::move(handler)));
      },
      token, std::move(ex), std::string(url), std::move(request), std::move(opts));
}

/// As above, with the URL's path and no subprotocol.
template <class Token>
auto connect(boost::asio::any_io_executor ex, std::string_view url, options opts, Token&& token) {
  websocket_request request;  // (not designated: -Wextra in users' builds warns on GCC 12)
  request.path.clear();
  return connect(std::move(ex), url, std::move(request), std::move(opts),
                 std::forward<Token>(token));
}

}  // namespace h2ws
