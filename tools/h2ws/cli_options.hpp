// Command-line parsing for both modes of the CLI: client and `serve`.
#pragma once

#include "exit_status.hpp"
#include "net/proxy_environment.hpp"
#include <h2ws/options.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace h2ws::cli {

/// Everything the client mode needs, validated.
struct client_config {
  std::string url;
  /// `url` parsed by the library's parser (the one h2ws::connect uses).
  net::parsed_url target;
  std::vector<std::string> subprotocols;
  h2ws::header_list headers;
  bool binary = false;
  /// Covers TCP connect, the server's SETTINGS and the answer to the CONNECT. 0 = none.
  double connect_timeout_s = 10;
  /// HTTP/2 PING keepalive, on by default: proxies drop idle streams. 0 = off.
  double ping_interval_s = 30;
  /// A keepalive PING unanswered this long means the connection is dead. 0 = wait forever.
  double ping_timeout_s = 20;
  /// -w/--wait: after the end of stdin, keep receiving this long before closing. 0 = close at once.
  double wait_s = 0;
  /// -1/--one-message: send the first line only, print the first message received, close.
  bool one_message = false;
  /// --base64: received binary messages are written as one line of base64; with --binary,
  /// each stdin line is base64-decoded into the message.
  bool base64 = false;
  /// -q/--quiet: no notes on stderr (warnings, reconnection progress); errors still show.
  bool quiet = false;
  std::size_t max_message = h2ws::options{}.max_message_size;
  bool verbose = false;
  /// Extra CA bundle (PEM) for wss:// and https://.
  std::string cacert;
  /// Skip certificate verification (explicit only; warned about on stderr).
  bool insecure = false;
  /// Client certificate chain and its private key (PEM), for servers that ask for one
  /// (mutual TLS); both or neither.
  std::string cert;
  std::string key;
  /// Proxy URL: --proxy, else from the environment (proxy_from_environment()), validated;
  /// empty = connect directly.
  std::string proxy;
  /// Where `proxy` came from ("--proxy", "https_proxy", ...), for messages.
  std::string proxy_source;
  /// Offer permessage-deflate.
  bool compress = false;
  /// Always open with an HTTP/1.1 Upgrade.
  bool http1 = false;
  /// RFC 8441 first, HTTP/1.1 Upgrade when the server lacks it.
  bool fallback = false;
  /// Reopen after a loss, with backoff (h2ws::reconnecting_websocket).
  bool reconnect = false;
};

/// Everything `h2ws serve` needs, validated.
struct serve_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::vector<std::string> paths = {"/echo"};
  std::uint32_t max_streams = 1000;
  std::vector<std::string> subprotocols;
  bool verbose = false;
  /// TLS certificate chain and key (PEM); both or neither.
  std::string tls_cert;
  std::string tls_key;
  /// Threads running the server (each connection stays on one); 0 = one per core.
  unsigned threads = 0;
  /// SO_REUSEPORT: several `h2ws serve` processes share the port.
  bool reuse_port = false;
  /// Serve files from this directory to plain requests; empty = the built-in page.
  std::string root;
};

/// The outcome of parsing: run a mode, or exit at once with `status`
/// (0 after --help/--version, 1 after a usage error already reported on stderr).
struct command_line {
  enum class mode { client, serve, exit } what = mode::exit;
  client_config client;
  serve_config serve;
  exit_status status = exit_status::ok;
};

command_line parse_command_line(int argc, char** argv);

}  // namespace h2ws::cli
