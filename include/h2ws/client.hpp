/// \file
/// A per-origin connection pool: one HTTP/2 connection per origin for every websocket
/// and plain request, as browsers do.
#pragma once

#include <h2ws/connection.hpp>
#include <h2ws/export.hpp>
#include <h2ws/http.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

namespace detail {
class client_pool;
}

/// Settings of a client's pool.
struct pool_options {
  /// A pooled connection with no websocket and no request open for this long is closed.
  /// 0 = keep it until the client is destroyed.
  duration idle_timeout = std::chrono::seconds(60);
};

/// Opens websockets and plain requests by URL, sharing one HTTP/2 connection per
/// origin. An origin is the scheme, host and port, plus the settings that shape the
/// connection itself: `ca_file`, `insecure`, `proxy` and `compression`. The other
/// connection settings (timeouts, windows, keepalive, limits, trace) come from the
/// options of the call that opened the connection.
///
/// A new connection to the same origin is opened when the pooled ones are full (the
/// server's SETTINGS_MAX_CONCURRENT_STREAMS reached, opens in flight counted), after a
/// GOAWAY, or when the pooled one is lost. Opens made while a connection is still being
/// set up wait for it rather than dialing again. With options::fallback, an origin
/// without RFC 8441 is remembered for options::fallback_memory and later opens go
/// straight to an HTTP/1.1 Upgrade (one connection per websocket, not pooled).
///
/// Thread safety: every member may be called from any thread. Destroying the client
/// closes the pooled connections gracefully (GOAWAY); websockets opened through it stay
/// open until they are closed.
class H2WS_API client {
 public:
  /// The type of the executor connections are made on.
  using executor_type = boost::asio::any_io_executor;
  /// The type-erased handler open_websocket() forwards to the library.
  using open_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>;
  /// The type-erased handler request() forwards to the library.
  using request_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, http_response)>;

  /// A pool that makes its connections on `ex`.
  explicit client(executor_type ex, pool_options pool = {});
  /// Takes over `other`'s pool; `other` becomes empty.
  client(client&&) noexcept = default;
  /// Closes this client's pool as the destructor does, then takes over `other`'s.
  client& operator=(client&& other) noexcept;
  /// Closes every pooled connection (GOAWAY); open websockets carry on.
  ~client();

  /// Opens a websocket at `url` (`ws://`, `wss://`, `http://`, `https://`; the path of
  /// the URL is used when `request.path` is empty) on a pooled connection to its origin.
  ///
  /// Signature: `void(boost::system::error_code, websocket)`. Errors: those of
  /// connection::connect and connection::open_websocket; error::operation_aborted on a
  /// moved-from client.
  template <class Token>
  auto open_websocket(std::string_view url, websocket_request request, options opts,
                      Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, websocket)>(
        [](auto handler, client* self, std::string url, websocket_request request, options opts) {
          self->open_impl(std::move(url), std::move(request), std::move(opts),
                          open_handler(std::move(handler)));
        },
        token, this, std::string(url), std::move(request), std::move(opts));
  }

  /// open_websocket() at the URL's own path.
  template <class Token>
  auto open_websocket(std::string_view url, options opts, Token&& token) {
    websocket_request request;
    request.path.clear();
    return open_websocket(url, std::move(request), std::move(opts), std::forward<Token>(token));
  }

  /// Sends a plain HTTP request to `url`'s origin on a pooled connection (the URL's path
  /// is used when `req.path` is empty) and completes with the whole response.
  ///
  /// Signature: `void(boost::system::error_code, http_response)`. Errors: those of
  /// connection::connect and connection::request.
  template <class Token>
  auto request(std::string_view url, http_request req, options opts, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, http_response)>(
        [](auto handler, client* self, std::string url, http_request req, options opts) {
          self->request_impl(std::move(url), std::move(req), std::move(opts),
                             request_handler(std::move(handler)));
        },
        token, this, std::string(url), std::move(req), std::move(opts));
  }

  /// How many HTTP/2 connections the pool holds now (those being set up included).
  std::size_t connection_count() const;

  /// Closes every pooled connection (GOAWAY) and forgets them; later opens dial again.
  void close();

  /// The executor connections are made on.
  executor_type get_executor() const;

 private:
  void open_impl(std::string url, websocket_request request, options opts, open_handler handler);
  void request_impl(std::string url, http_request req, options opts, request_handler handler);

  std::shared_ptr<detail::client_pool> pool_;
};

}  // namespace h2ws
