/// \file
/// One HTTP/2 connection carrying any number of websockets (RFC 8441).
#pragma once

#include <h2ws/export.hpp>
#include <h2ws/http.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

namespace detail {
class connection_impl;
struct connection_owner;
}  // namespace detail

/// A client HTTP/2 connection. Cheap to copy (a shared handle); the connection
/// closes when the last handle and the last websocket opened on it are gone.
///
/// Thread safety: all operations may be called from any thread; they run on
/// the connection's strand.
class H2WS_API connection {
 public:
  /// The executor type of connect() (the connection itself runs on a strand of it).
  using executor_type = boost::asio::any_io_executor;
  /// The type-erased handler connect() forwards to the library.
  using connect_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, connection)>;
  /// The type-erased handler open_websocket() forwards to the library.
  using open_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>;
  /// The type-erased handler request() forwards to the library.
  using request_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, http_response)>;

  /// An empty handle, to assign a connected one to later.
  connection() = default;

  /// Connects to `url` (`ws://` or `http://`: h2c with prior knowledge; `wss://` or
  /// `https://`: TLS with ALPN h2; port and path honoured, the path is only a default
  /// for open_websocket), sends the HTTP/2 preface and waits for the server's SETTINGS,
  /// bounded by options::connect_timeout. Never falls back to HTTP/1.1 (see h2ws::connect).
  ///
  /// Signature: `void(boost::system::error_code, connection)`. Errors:
  /// error::bad_url, resolver and socket errors, TLS errors, error::no_h2_alpn,
  /// error::timeout, error::connection_lost, error::http2_protocol_error.
  /// Cancellation: terminal; the attempt ends with error::operation_aborted, its socket closed.
  template <class Token>
  static auto connect(executor_type ex, std::string_view url, options opts, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, connection)>(
        [](auto handler, executor_type ex, std::string url, options opts) {
          connect_impl(std::move(ex), std::move(url), std::move(opts),
                       connect_handler(std::move(handler)));
        },
        token, std::move(ex), std::string(url), std::move(opts));
  }

  /// Opens a websocket with an extended CONNECT on a new stream, bounded by
  /// options::open_timeout. Any number of opens may run at once. With
  /// options::compression it offers permessage-deflate.
  ///
  /// Signature: `void(boost::system::error_code, websocket)`. On failure the
  /// websocket handle still tells status() and handshake_headers().
  /// Errors: error::no_extended_connect (the server's SETTINGS lacked
  /// ENABLE_CONNECT_PROTOCOL=1), error::refused (non-2xx; see status()),
  /// error::unexpected_subprotocol, error::bad_extension_negotiation,
  /// error::tunnel_closed, error::stream_reset, error::goaway, error::timeout,
  /// error::too_many_streams, error::connection_closed.
  /// Cancellation: terminal; the stream is reset and the open ends with
  /// error::operation_aborted.
  template <class Token>
  auto open_websocket(const websocket_request& request, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, websocket)>(
        [](auto handler, connection* self, websocket_request request) {
          self->open_impl(std::move(request), open_handler(std::move(handler)));
        },
        token, this, request);
  }

  /// Shorthand for open_websocket({.path = path}, token). Prefer it inside
  /// coroutines on GCC 12, which mishandles braced temporaries in co_await
  /// expressions (it destroys them twice).
  template <class Token>
  auto open_websocket(std::string_view path, Token&& token) {
    websocket_request request;
    request.path = std::string(path);
    return open_websocket(request, std::forward<Token>(token));
  }

  /// Sends a plain HTTP request on a new stream of this connection, beside any
  /// open websockets, and completes with the whole response. Bounded by
  /// options::open_timeout; the body is limited by options::max_message_size.
  ///
  /// Signature: `void(boost::system::error_code, http_response)`. Any status is a
  /// success (check response.status). Errors: error::stream_reset, error::timeout,
  /// error::message_too_big, error::goaway, error::connection_closed, error::connection_lost.
  template <class Token>
  auto request(const http_request& req, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, http_response)>(
        [](auto handler, connection* self, http_request req) {
          self->request_impl(std::move(req), request_handler(std::move(handler)));
        },
        token, this, req);
  }

  /// Starts a graceful shutdown: GOAWAY, no new websockets; open ones carry on
  /// until they close, then the transport closes.
  void close();

  /// The executor of the connection's strand: everything the connection does runs there.
  executor_type get_executor() const;
  /// True while the transport is up and no GOAWAY was sent or received.
  bool is_open() const;
  /// True when the server's SETTINGS carried ENABLE_CONNECT_PROTOCOL=1.
  bool supports_websockets() const;
  /// Websockets and plain requests open on this connection right now (those still
  /// opening included).
  std::size_t active_streams() const;
  /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (0xffffffff when it set none): how many
  /// streams may be open at once; more opens wait for a free one.
  std::uint32_t max_concurrent_streams() const;
  /// The path of the URL given to connect() ("/" when none).
  std::string default_path() const;
  /// The authority (host[:port]) of the URL given to connect().
  std::string authority() const;

  /// Internal: wraps the library's connection state. Applications get connections from
  /// connect().
  explicit connection(std::shared_ptr<detail::connection_owner> owner);

 private:
  static void connect_impl(executor_type ex, std::string url, options opts,
                           connect_handler handler);
  void open_impl(websocket_request request, open_handler handler);
  void request_impl(http_request request, request_handler handler);

  std::shared_ptr<detail::connection_owner> owner_;
};

}  // namespace h2ws
