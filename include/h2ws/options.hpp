/// \file
/// Client-side settings: timeouts, limits, flow control, tracing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// \cond
// Forward declaration: the header needs no Asio or OpenSSL headers. Include
// <boost/asio/ssl/context.hpp> to build one for options::ssl_context.
namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl
/// \endcond

namespace h2ws {

/// The type of every timeout and interval in the options.
using duration = std::chrono::steady_clock::duration;

/// One header field, name in lowercase.
using header = std::pair<std::string, std::string>;
/// Header fields in order; a name may repeat.
using header_list = std::vector<header>;

/// Severity of a record given to options::log.
enum class log_level {
  warning,  ///< Something went wrong or was refused ("!" lines): a timeout, a reset, a peer's
            ///< protocol error, a contained exception. The operation's error code says it too.
  info,     ///< What the library decided ("*" lines): the server's RFC 8441 support, fallback,
            ///< reconnects, pool connections, GOAWAY.
  debug     ///< Frames and headers as they go out ("> ...") and come in ("< ..."): HTTP/2 frames
            ///< and header fields, WebSocket frames and messages with their sizes.
};

/// permessage-deflate settings (RFC 7692), used when options::compression is on. A client
/// asks for them in its offer; a server imposes them on the offers it accepts (flags added,
/// windows capped). Values out of range fail the open (client) or listen() (server) with
/// boost::system::errc::invalid_argument.
struct deflate_options {
  /// LZ77 window of client-to-server messages: 8..15 bits (2^bits bytes). Smaller costs
  /// the client's compressor and the server's decompressor less memory per websocket.
  int client_max_window_bits = 15;
  /// LZ77 window of server-to-client messages: 8..15 bits.
  int server_max_window_bits = 15;
  /// The client's compressor starts afresh with each message: nothing is kept between
  /// messages (less memory held by idle websockets, a worse ratio on similar messages).
  bool client_no_context_takeover = false;
  /// The same for the server's compressor.
  bool server_no_context_takeover = false;
  /// zlib compression level of what this side sends: 0 (stored) .. 9 (smallest), or -1 for
  /// zlib's default (6).
  int level = -1;
  /// zlib memLevel of this side's compressor, 1..9: its memory is about
  /// 2^(window bits + 2) + 2^(mem_level + 9) bytes.
  int mem_level = 8;
};

/// Settings of a client connection and of the websockets opened on it.
/// Every field has a safe default; a zero duration means "no limit".
struct options {
  /// Resolve + TCP connect + HTTP/2 preface + the server's SETTINGS. 0 = none.
  duration connect_timeout = std::chrono::seconds(10);
  /// Extended CONNECT sent .. 2xx answer received. 0 = none.
  duration open_timeout = std::chrono::seconds(10);
  /// Our close frame sent .. the peer's close frame received; then the stream is reset.
  /// When the peer closes first, also bounds how long its close waits for the application
  /// to take the messages that came before it; then they are dropped and the close answered.
  /// 0 = none.
  duration close_timeout = std::chrono::seconds(5);
  /// Interval of HTTP/2 PINGs sent while the connection is open; each tick also sends an
  /// empty WebSocket ping on every open websocket with nothing queued to send. Not used on
  /// the HTTP/1.1 fallback. 0 = no keepalive.
  duration ping_interval = std::chrono::seconds(0);
  /// A keepalive PING not acknowledged within this time means the connection is
  /// dead: every websocket and request on it fails with error::timeout. Only with
  /// ping_interval on. 0 = wait forever.
  duration ping_timeout = std::chrono::seconds(20);

  /// Largest message accepted, in bytes (after decompression). Beyond it: close 1009. 0 = none.
  std::size_t max_message_size = 64 * 1024 * 1024;
  /// Largest single frame accepted, in bytes. 0 = only max_message_size applies.
  std::size_t max_frame_size = 0;
  /// Outgoing messages larger than this are split into frames of at most this many
  /// payload bytes, so control frames can pass between them. 0 = one frame per message.
  std::size_t max_send_frame_size = 0;
  /// Largest header list accepted from the server, in bytes (SETTINGS_MAX_HEADER_LIST_SIZE).
  std::uint32_t max_header_list_size = 64 * 1024;
  /// HTTP/2 receive window per websocket, in bytes: how much the server may send before
  /// the application reads. Received data is acknowledged only as messages are consumed.
  std::uint32_t stream_window = 4 * 1024 * 1024;
  /// HTTP/2 receive window of the whole connection, in bytes.
  std::uint32_t connection_window = 64 * 1024 * 1024;
  /// Bytes a connection may hold waiting to be written (queued by its websockets, not yet
  /// taken by the peer) before it stops reading from the peer; it reads again once half
  /// of them are written. Bounds what a peer that sends but never reads can make us hold
  /// (CVE-2019-9517). 0 = no limit.
  std::size_t max_write_buffer = 8 * 1024 * 1024;

  /// Extra trusted CA certificates (PEM file) for wss:// and https://, besides the
  /// system trust store. Empty = the system store only.
  std::string ca_file;
  /// Skips certificate chain and host-name verification. Never the default.
  bool insecure = false;
  /// Client certificate chain (PEM file), presented when the server asks for one (mutual
  /// TLS). Goes with key_file: both or neither (one alone fails the connect with
  /// boost::system::errc::invalid_argument). Empty = no client certificate.
  std::string cert_file;
  /// Private key (PEM file, not encrypted) of cert_file's certificate.
  std::string key_file;
  /// A TLS context of the caller's own, for full control (cipher suites, a certificate
  /// from an engine or memory, session caching, ...). When set, h2ws uses it as it is for
  /// every wss:// and https:// connection instead of building one, and ca_file, cert_file
  /// and key_file must be empty (else the connect fails with
  /// boost::system::errc::invalid_argument). Then ALPN and verification are the caller's:
  /// offer "h2" (and "http/1.1" for the fallback) with SSL_CTX_set_alpn_protos, or the
  /// connect fails with error::no_h2_alpn; set the verify mode and trust store. h2ws still
  /// sends SNI and, unless `insecure`, adds the host-name check to the context's chain
  /// verification (which only takes effect when the context's verify mode is verify_peer).
  /// The context must not be changed while connections use it.
  std::shared_ptr<boost::asio::ssl::context> ssl_context;

  /// Offer permessage-deflate (RFC 7692) when opening websockets (also on the HTTP/1.1
  /// fallback); on a server, accept clients' offers. websocket::extensions() tells whether
  /// it was agreed. Compressed messages are inflated in bounded steps and stopped at
  /// max_message_size (close 1009, error::message_too_big), so a small "bomb" cannot blow
  /// up; data that does not inflate is closed with 1007 (error::inflate_failed). A server
  /// answer that breaks RFC 7692 fails the open with error::bad_extension_negotiation.
  bool compression = false;
  /// Window sizes, context takeover, level and memory of permessage-deflate; a message can
  /// opt out on its own (message::set_compress).
  deflate_options deflate;

  /// An HTTP proxy to tunnel through with CONNECT: "http://[user:password@]host:port".
  /// Also a SOCKS5 proxy (RFC 1928; user/password of RFC 1929): "socks5://..." (the host
  /// name is resolved here) or "socks5h://..." (resolved by the proxy), port 1080 by default.
  /// Empty = connect directly, unless proxy_from_environment says otherwise.
  std::string proxy;
  /// Opt-in: when `proxy` is empty, take the proxy from the environment as curl does:
  /// https_proxy (or HTTPS_PROXY) for wss/https, http_proxy for ws/http, then all_proxy (or
  /// ALL_PROXY); hosts listed in no_proxy (NO_PROXY) connect directly. Off by default, so
  /// that a program's environment does not redirect its connections behind its back. (The
  /// CLI always reads these variables.)
  bool proxy_from_environment = false;

  /// When the server does not offer RFC 8441 (no ENABLE_CONNECT_PROTOCOL, ALPN
  /// picked http/1.1, the h2c preface refused, or the CONNECT answered 405/501/502
  /// or reset), h2ws::connect opens the websocket with an HTTP/1.1 Upgrade instead.
  bool fallback = false;
  /// h2ws::connect always uses an HTTP/1.1 Upgrade (no HTTP/2 at all).
  bool force_http1 = false;
  /// With fallback, how long an origin (scheme, host, port) that turned out to lack
  /// RFC 8441 is remembered, so later opens go straight to HTTP/1.1. 0 = never.
  duration fallback_memory = std::chrono::minutes(5);

  /// Receives a human-readable trace (handshake, frames): every line, whatever its level;
  /// empty = no trace.
  std::function<void(std::string_view line)> trace;
  /// A logging hook: receives the same lines as `trace`, each with its level, when the level
  /// is `verbosity` or more severe. Called on the connection's strand; keep it quick. Below
  /// log_level::debug no frame line is even formatted, so a log at info costs nothing per
  /// message. Empty = no log. Both `trace` and `log` may be set.
  std::function<void(log_level level, std::string_view line)> log;
  /// The least severe level `log` receives.
  log_level verbosity = log_level::info;
};

/// What to ask for when opening a websocket on a connection.
struct websocket_request {
  /// The request target (`:path`), e.g. "/echo?room=1".
  std::string path = "/";
  /// The `:authority`; empty = the host[:port] the connection was made to.
  std::string authority;
  /// Offered subprotocols, in order of preference (`sec-websocket-protocol`).
  std::vector<std::string> subprotocols;
  /// Extra request headers (names are lowercased on the wire).
  header_list headers;
};

}  // namespace h2ws
