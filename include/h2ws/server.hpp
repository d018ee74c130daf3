/// \file
/// A minimal RFC 8441 server: accepts websockets over h2c or TLS and hands each to a handler.
#pragma once

#include <h2ws/export.hpp>
#include <h2ws/http.hpp>
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws {

/// What a client asked for in its websocket handshake: an extended CONNECT (RFC 8441), or
/// an HTTP/1.1 Upgrade (RFC 6455), shown the same way.
struct handshake_request {
  /// The request target (`:path`), query included.
  std::string path;
  /// The `:authority` the client sent (HTTP/1.1: Host).
  std::string authority;
  std::vector<std::string> subprotocols;  ///< offered, in the client's order
  /// Every request header, pseudo-headers included (an HTTP/1.1 Upgrade is shown as the
  /// equivalent CONNECT: `:method CONNECT`, `:protocol websocket`).
  header_list headers;
  /// The client's address, "ip:port" (the proxy's, behind a reverse proxy).
  std::string peer;
  /// 2 for RFC 8441 over HTTP/2, 1 for an HTTP/1.1 Upgrade.
  int http_version = 2;
  /// The part of `path` after '?', empty when none.
  std::string_view query() const {
    const auto q = path.find('?');
    return q == std::string::npos ? std::string_view() : std::string_view(path).substr(q + 1);
  }
};

/// How the accept step answers a websocket handshake.
struct handshake_answer {
  /// 2xx accepts (sent as 101 on HTTP/1.1); anything else refuses with that status.
  unsigned status = 200;
  /// Headers added to the answer: `set-cookie` on an acceptance, `www-authenticate` on
  /// a 401, ... (lowercase names).
  header_list headers;
  /// The body of a refusal.
  std::string body;
};

/// Where websockets are served: a path (exact, or every path under a prefix), the
/// subprotocols spoken there, an accept step and a handler of its own.
struct route {
  /// "/chat" (exact; the query is not part of the match), or with `prefix`, e.g. "/rooms/"
  /// for "/rooms/1", "/rooms/a/b".
  std::string path;
  /// `path` is a prefix: every path that starts with it matches.
  bool prefix = false;
  /// Spoken on this route, by preference; empty = server_options::subprotocols.
  std::vector<std::string> subprotocols;
  /// Sees the whole request and decides; empty = accept. Should it throw: 500.
  std::function<handshake_answer(const handshake_request&)> accept;
  /// Gets each websocket accepted here; empty = the server's handler.
  std::function<void(websocket)> handler;
};

/// Settings of a server.
struct server_options {
  /// Routes for websockets, tried in order before `paths`.
  std::vector<route> routes;
  /// More paths that accept websockets (exact match), with the server's handler; a
  /// handshake for a path no route or entry matches gets 404.
  std::vector<std::string> paths = {"/echo"};
  /// Subprotocols the server speaks, by preference; the first one the client offered is chosen.
  std::vector<std::string> subprotocols;
  /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to each client.
  std::uint32_t max_concurrent_streams = 1000;
  /// Advertise SETTINGS_ENABLE_CONNECT_PROTOCOL=1. Off only to imitate servers without RFC 8441.
  bool enable_connect_protocol = true;
  /// Decides the HTTP status of each websocket handshake (2xx accepts); empty = accept.
  /// Should it throw, the client gets 500 and on_error hears of it.
  std::function<unsigned(const handshake_request&)> authorize;
  /// Answers plain HTTP requests (not websocket handshakes), on HTTP/2 and HTTP/1.1:
  /// method, target (`path`), headers and body in; status, headers and body out. Empty =
  /// a short text page at `/` and 404 elsewhere. Should it throw: 500.
  std::function<http_response(const http_request&)> http_handler;
  /// Hears of every exception the server contained: thrown by `authorize`, by the websocket
  /// handler, or while handling a stream (that stream is answered 500 or reset; the server
  /// keeps serving). Also written to `limits.trace`. Empty = only the trace.
  std::function<void(std::string_view what)> on_error;
  /// TLS certificate chain (PEM file). Both this and tls_key_file empty = cleartext h2c.
  std::string tls_cert_file;
  /// TLS private key (PEM file) of tls_cert_file's certificate.
  std::string tls_key_file;
  /// CA certificates (PEM file) that client certificates must chain to (mutual TLS; only
  /// with tls_cert_file). When set, the server asks every client for a certificate, names
  /// these CAs in the request, and refuses a certificate that does not verify at the TLS
  /// handshake. Empty = client certificates are neither asked for nor checked.
  std::string tls_client_ca_file;
  /// With tls_client_ca_file: a client that presents no certificate is refused at the TLS
  /// handshake too (else it is served like one without TLS client authentication).
  /// Set without tls_client_ca_file, listen() fails with boost::system::errc::invalid_argument.
  bool tls_require_client_cert = false;
  /// A new connection's TLS handshake and protocol detection, and each HTTP/1.1 request
  /// from its first byte to its last, must arrive within this (slowloris); 0 = no limit.
  duration handshake_timeout = std::chrono::seconds(10);
  /// An HTTP/2 connection with no websocket and no request in progress for this long gets
  /// GOAWAY and is closed; a header block that never ends is not progress, nor are PINGs.
  /// (An idle HTTP/1.1 connection is bound by handshake_timeout: its next request must
  /// arrive within it.) 0 = no limit.
  duration idle_timeout = std::chrono::seconds(60);
  /// Body bytes of a plain HTTP/1.1 request; beyond it the answer is 413.
  std::size_t max_request_body = 1024 * 1024;
  /// Client connections at once; beyond it new ones are closed as they arrive. 0 = no limit.
  std::size_t max_connections = 10000;
  /// SO_REUSEPORT: several processes (or servers) may listen on the same port, and the
  /// kernel spreads new connections over them.
  bool reuse_port = false;
  /// Where accepted connections run, in turn (empty: on the server's own executor). Each
  /// must belong to a boost::asio::io_context. Give one io_context per thread, each made
  /// with concurrency hint 1 or BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO and run by that one
  /// thread: a connection then runs with no strand (and, with UNSAFE_IO, no lock around
  /// its socket operations; `h2ws serve --threads N` does this). A connection stays on the
  /// executor it was given.
  std::vector<boost::asio::any_io_executor> workers;
  /// Limits and windows of each accepted connection and websocket (timeouts, max message
  /// size, ...); `limits.compression` accepts clients' permessage-deflate offers.
  options limits;
};

namespace detail {
class server_impl;
}  // namespace detail

/// Listens on TCP, speaks HTTP/2 (prior knowledge on cleartext, ALPN h2 with TLS) and
/// HTTP/1.1 on the same port, accepts websockets on the configured paths (RFC 8441 streams
/// and RFC 6455 Upgrades), answers other requests with a small page (`GET /`) or 404.
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
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. `host` is an address ("127.0.0.1", "::1", "0.0.0.0") or a
  /// host name, resolved at once (its first address: "localhost"). `port` 0 picks a free
  /// port (see port()).
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
