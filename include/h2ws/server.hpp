/// \file
/// A minimal RFC 8441 server: accepts websockets over h2c or TLS and hands each to a handler.
#pragma once

#include <h2ws/export.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

/// What a client asked for in its extended CONNECT.
struct handshake_request {
  /// The request target (`:path`), query included.
  std::string path;
  /// The `:authority` the client sent.
  std::string authority;
  std::vector<std::string> subprotocols;  ///< offered, in the client's order
  header_list headers;                    ///< every request header, pseudo-headers included
};

/// Settings of a server.
struct server_options {
  /// Paths that accept websockets; a CONNECT to any other path gets 404.
  std::vector<std::string> paths = {"/echo"};
  /// Subprotocols the server speaks, by preference; the first one the client offered is chosen.
  std::vector<std::string> subprotocols;
  /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to each client.
  std::uint32_t max_concurrent_streams = 1000;
  /// Advertise SETTINGS_ENABLE_CONNECT_PROTOCOL=1. Off only to imitate servers without RFC 8441.
  bool enable_connect_protocol = true;
  /// Decides the HTTP status of each websocket handshake (2xx accepts); empty = accept.
  std::function<unsigned(const handshake_request&)> authorize;
  /// TLS certificate chain (PEM file). Both this and tls_key_file empty = cleartext h2c.
  std::string tls_cert_file;
  /// TLS private key (PEM file) of tls_cert_file's certificate.
  std::string tls_key_file;
  /// Limits and windows of each accepted connection and websocket (timeouts, max message
  /// size, ...); `limits.compression` accepts clients' permessage-deflate offers.
  options limits;
};

namespace detail {
class server_impl;
struct server_context;
}  // namespace detail

/// Listens on TCP, speaks HTTP/2 (prior knowledge on cleartext, ALPN h2 with TLS; no
/// HTTP/1.1 Upgrade), accepts RFC 8441 websockets on the configured paths, answers other
/// requests with a small page (`GET /`) or 404.
///
/// Thread safety: call listen/stop/drain/abort_connections from the executor's thread
/// (or before run()).
class H2WS_API server {
 public:
  /// The executor the server accepts on; each client connection runs on a strand of it.
  using executor_type = boost::asio::any_io_executor;
  /// Called once per accepted websocket, on that connection's strand.
  using websocket_handler = std::function<void(websocket)>;

  /// A server that will run on `ex`, configured by `opts`, giving each accepted websocket
  /// to `handler`. Nothing happens until listen().
  server(executor_type ex, server_options opts, websocket_handler handler);
  /// Internal: a server built from a prepared context (the scripted server of
  /// the conformance suite).
  server(executor_type ex, std::shared_ptr<detail::server_context> ctx);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. `port` 0 picks a free port (see port()).
  boost::system::error_code listen(const std::string& host, std::uint16_t port);
  /// The bound port.
  std::uint16_t port() const;
  /// Stops accepting, sends GOAWAY on every connection and closes every websocket with 1001.
  void stop();
  /// Stops accepting and sends GOAWAY on every connection; open websockets carry
  /// on until they close, then each connection closes.
  void drain();
  /// Drops every client connection at once, with no GOAWAY and no close frame:
  /// what a crash or a network failure looks like to the clients (for tests).
  void abort_connections();
  /// Number of websockets currently open.
  std::size_t open_websockets() const;

 private:
  std::shared_ptr<detail::server_impl> impl_;
};

/// Echoes every message back on `ws` until it closes; the bundled echo handler.
H2WS_API void echo(websocket ws);

}  // namespace h2ws
