#include "cli_options.hpp"

#include "cli_docs.hpp"
#include <h2ws/version.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>
#include <tuple>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace h2ws::cli {
namespace {

constexpr std::string_view footer = R"(
Client:
  Every line read from stdin is sent as one message (text, or binary with --binary;
  an empty line is an empty message). Every message received is written to stdout
  followed by a newline; binary ones as they are, as base64 with --base64, and marked
  "[binary, N bytes, base64] ..." when stdout is a terminal. When stdin is a terminal the
  client is interactive: a "> " prompt, and received messages shown as "< text". On end
  of input the client closes the websocket with 1000 (after -w SECONDS of receiving, if
  given), waits for the server's close, and exits.

Exit status:
  0  the websocket closed normally (1000, 1001, or a close frame without a code)
  1  usage error, or a stdin line that cannot be sent as asked (not UTF-8 without
     --binary, not base64 with --binary --base64): the lines before it are sent and
     the websocket is closed normally
  2  connect or handshake failure (HTTP status, no RFC 8441 support, TLS, timeout)
  3  the server closed with a code other than 1000/1001 (code and reason on stderr)
  4  connection lost or protocol error

Run 'h2ws serve --help' for the echo server.)";

// Seconds: a finite number from 0 to a bound that a duration in nanoseconds can hold with
// room to spare (NaN, infinity or 1e300 would make the conversion undefined).
constexpr double max_seconds = 1e7;  // about 115 days

const CLI::Validator seconds_check(
    [](std::string& text) -> std::string {
      double value = 0;
      const auto* end = text.data() + text.size();
      const auto [ptr, ec] = std::from_chars(text.data(), end, value);
      if (ec != std::errc{} || ptr != end || !(value >= 0 && value <= max_seconds))
        return fmt::format("'{}' is not a number of seconds from 0 to {:.0f}", text, max_seconds);
      return {};
    },
    "");

// A byte count: decimal digits that fit (CLI11 alone turns "-1" into SIZE_MAX).
const CLI::Validator bytes_check(
    [](std::string& text) -> std::string {
      std::size_t value = 0;
      const auto* end = text.data() + text.size();
      const auto [ptr, ec] = std::from_chars(text.data(), end, value);
      if (text.empty() || text.front() == '-' || ec != std::errc{} || ptr != end)
        return fmt::format("'{}' is not a number of bytes (0 = no limit)", text);
      return {};
    },
    "");

void usage_error(std::string_view what) {
  fmt::print(stderr, "h2ws: {}\nRun with --help for more information.\n", what);
}

bool is_tchar(unsigned char c) {
  // RFC 9110 section 5.6.2: the characters allowed in a header name or token.
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return is_tchar(c); });
}

// Parses "name: value" into a lowercase name and a trimmed value; explains a refusal in `why`.
std::optional<h2ws::header> parse_header(std::string_view raw, std::string& why) {
  const auto colon = raw.find(':');
  if (colon == std::string_view::npos) {
    why = fmt::format("malformed header '{}': expected 'name: value'", raw);
    return std::nullopt;
  }
  std::string name(raw.substr(0, colon));
  if (!is_token(name)) {
    why = fmt::format("malformed header '{}': '{}' is not a valid header name", raw, name);
    return std::nullopt;
  }
  std::ranges::transform(name, name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Connection-specific fields make an HTTP/2 request malformed (RFC 9113 section 8.2.2);
  // the others are set by h2ws itself and a second copy would contradict it.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> reserved = {{
      {"connection", "HTTP/2 forbids connection-specific headers"},
      {"keep-alive", "HTTP/2 forbids connection-specific headers"},
      {"proxy-connection", "HTTP/2 forbids connection-specific headers"},
      {"transfer-encoding", "HTTP/2 forbids connection-specific headers"},
      {"upgrade", "HTTP/2 forbids connection-specific headers"},
      {"te", "HTTP/2 forbids connection-specific headers"},
      {"host", "the authority comes from the URL"},
      {"sec-websocket-key", "RFC 8441 does not use it"},
      {"sec-websocket-version", "h2ws sends it"},
      {"sec-websocket-protocol", "use -p/--subprotocol"},
  }};
  for (const auto& [reserved_name, reason] : reserved) {
    if (name == reserved_name) {
      why = fmt::format("header '{}' may not be set with -H: {}", name, reason);
      return std::nullopt;
    }
  }
  auto value = raw.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    why = fmt::format("malformed header '{}': the value contains CR, LF or NUL", name);
    return std::nullopt;
  }
  return h2ws::header{std::move(name), std::string(value)};
}

// Parses HOST:PORT (IPv6 as [ADDR]:PORT) for --listen.
bool parse_listen(std::string_view s, serve_config& cfg, std::string& why) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    why = fmt::format("--listen '{}': expected HOST:PORT", s);
    return false;
  }
  auto host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = s.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    why = fmt::format("--listen '{}': '{}' is not a port number (0-65535)", s, port);
    return false;
  }
  cfg.host = std::string(host);
  cfg.port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

command_line parse_command_line(int argc, char** argv) {
  command_line out;
  client_config& client = out.client;
  serve_config& serve = out.serve;

  CLI::App app{
      "h2ws: WebSocket over HTTP/2 (RFC 8441) client and echo server\n"
      "  h2ws [OPTIONS] URL        connect, send stdin lines, print received messages\n"
      "  h2ws serve [OPTIONS]      run an RFC 8441 echo server",
      "h2ws"};
  app.footer(std::string(footer));
  app.set_version_flag("--version", fmt::format("h2ws {}", h2ws::version_string),
                       "Print the version and exit");

  std::vector<std::string> raw_headers;
  app.add_option("url", client.url,
                 "ws:// or http:// (cleartext HTTP/2, prior knowledge); wss:// or https:// "
                 "(TLS, ALPN h2, certificate verified). Port and path are honoured");
  app.add_option("-p,--subprotocol", client.subprotocols,
                 "Offer a subprotocol (repeatable, in order of preference)")
      ->allow_extra_args(false);
  app.add_option("-H,--header", raw_headers, "Add a request header 'name: value' (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--binary", client.binary, "Send each line as a binary message instead of text");
  app.add_option("--connect-timeout", client.connect_timeout_s,
                 "Seconds allowed for TCP, TLS, the server's SETTINGS and the answer to the "
                 "CONNECT; 0 = no limit")
      ->check(seconds_check)
      ->capture_default_str();
  auto* ping_interval = app.add_option("--ping-interval", client.ping_interval_s,
                                       "Seconds between HTTP/2 keepalive PINGs; 0 = none")
                            ->check(seconds_check)
                            ->capture_default_str();
  auto* ping_timeout =
      app.add_option("--ping-timeout", client.ping_timeout_s,
                     "Seconds a keepalive PING may go unanswered before the connection counts "
                     "as dead (exit 4); 0 = wait forever")
          ->check(seconds_check)
          ->capture_default_str();
  app.add_option("-w,--wait", client.wait_s,
                 "After the end of stdin, keep receiving for SECONDS before closing (late "
                 "replies are printed); with -1, how long to wait for the message")
      ->check(seconds_check);
  app.add_flag("-1,--one-message", client.one_message,
               "Send the first line of stdin only, print the first message received, close "
               "and exit");
  app.add_flag("--base64", client.base64,
               "Write received binary messages as one line of base64; with --binary, decode "
               "each stdin line from base64");
  app.add_option("--max-message", client.max_message,
                 "Largest message accepted, in bytes; 0 = no limit")
      ->check(bytes_check)
      ->capture_default_str();
  auto* verbose = app.add_flag("-v,--verbose", client.verbose,
                               "Trace the handshake and frames on stderr; print the negotiated "
                               "subprotocol");
  app.add_flag("-q,--quiet", client.quiet,
               "No notes on stderr (the --insecure warning, reconnection progress, -1 without "
               "an answer); errors are still reported")
      ->excludes(verbose);

  std::string unused_text;
  app.add_option("--cacert", client.cacert,
                 "CA certificates (PEM) trusted besides the system store")
      ->check(CLI::ExistingFile);
  app.add_option("--cert", client.cert,
                 "Client certificate chain (PEM) for servers that ask for one (mutual TLS); "
                 "with --key")
      ->check(CLI::ExistingFile);
  app.add_option("--key", client.key, "Private key (PEM, unencrypted) of --cert")
      ->check(CLI::ExistingFile);
  app.add_flag("-k,--insecure", client.insecure,
               "Do not verify the server's certificate (dangerous; prints a warning)");
  app.add_flag("--http1", client.http1,
               "Open the websocket with an HTTP/1.1 Upgrade (RFC 6455), no HTTP/2");
  app.add_flag("--fallback", client.fallback,
               "RFC 8441 first; HTTP/1.1 Upgrade when the server lacks it (no SETTINGS, ALPN "
               "http/1.1, h2c refused, CONNECT answered 405/501/502 or reset)");
  app.add_flag("--compress", client.compress,
               "Offer permessage-deflate (RFC 7692); -v shows whether the server took it");
  app.add_flag("--reconnect", client.reconnect,
               "Reopen the websocket after a loss (server restart, network drop, close 1001/"
               "1011-1014), with exponential backoff; a note on stderr at each loss and "
               "reconnection");
  app.add_option("--proxy", client.proxy,
                 "Proxy to tunnel through: http://[user:pass@]host:port (CONNECT), "
                 "socks5://[user:pass@]host:port (SOCKS5, names resolved here) or socks5h://... "
                 "(resolved by the proxy) "
                 "(default: https_proxy for wss/https, http_proxy for ws/http, then all_proxy; "
                 "hosts in no_proxy go direct)");

  bool print_man_page = false;
  std::string completion_shell;
  app.add_flag("--man-page", print_man_page,
               "Print the manual (troff, e.g. for 'man -l -') and exit")
      ->group("Documentation");
  app.add_option("--completion", completion_shell,
                 "Print a completion script for SHELL (bash) and exit: "
                 "source <(h2ws --completion bash)")
      ->check(CLI::IsMember({"bash"}))
      ->group("Documentation");

  auto* serve_cmd = app.add_subcommand(
      "serve", "Run an echo server: RFC 8441 and HTTP/1.1 Upgrade on one port (cleartext or TLS)");
  std::string listen = "127.0.0.1:3000";
  std::vector<std::string> paths;
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  serve_cmd
      ->add_option("--path", paths,
                   "Path that accepts websockets (repeatable; default /echo); others get 404")
      ->allow_extra_args(false);
  serve_cmd
      ->add_option("--max-streams", serve.max_streams,
                   "SETTINGS_MAX_CONCURRENT_STREAMS advertised to each client")
      ->check(CLI::Range(1u, 0x7fffffffu))
      ->capture_default_str();
  serve_cmd
      ->add_option("-p,--subprotocol", serve.subprotocols,
                   "Subprotocol the server speaks (repeatable, by preference)")
      ->allow_extra_args(false);
  serve_cmd->add_flag("-v,--verbose", serve.verbose, "Trace handshakes and frames on stderr");
  serve_cmd
      ->add_option("--tls-cert", serve.tls_cert, "Certificate chain (PEM): serve TLS with ALPN h2")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-key", serve.tls_key, "Private key (PEM) of --tls-cert")
      ->check(CLI::ExistingFile);
  serve_cmd
      ->add_option("--threads", serve.threads,
                   "Threads serving connections (a connection stays on one); default: one per "
                   "core")
      ->check(CLI::Range(1u, 1024u));
  serve_cmd
      ->add_option("--root", serve.root,
                   "Serve the files under DIR to plain HTTP requests (default: a built-in page "
                   "at / that opens a websocket back to the server)")
      ->check(CLI::ExistingDirectory);
  serve_cmd->add_flag("--reuse-port", serve.reuse_port,
                      "SO_REUSEPORT: several servers may listen on the same port (the kernel "
                      "spreads connections over them)");
  serve_cmd->footer(
      "\nPrints 'listening on HOST:PORT' on stderr once bound. Stops on SIGINT or SIGTERM "
      "(closing open websockets with 1001) and exits 0; exits 2 when it cannot listen.");

  // Value names for --help, the man page and the completion.
  for (const auto& [cmd, name, value] :
       std::initializer_list<std::tuple<CLI::App*, std::string_view, std::string_view>>{
           {&app, "url", "URL"},
           {&app, "--subprotocol", "NAME"},
           {&app, "--header", "'NAME: VALUE'"},
           {&app, "--connect-timeout", "SECONDS"},
           {&app, "--ping-interval", "SECONDS"},
           {&app, "--ping-timeout", "SECONDS"},
           {&app, "--wait", "SECONDS"},
           {&app, "--max-message", "BYTES"},
           {&app, "--cacert", "FILE"},
           {&app, "--cert", "FILE"},
           {&app, "--key", "FILE"},
           {&app, "--proxy", "URL"},
           {&app, "--completion", "SHELL"},
           {serve_cmd, "--listen", "HOST:PORT"},
           {serve_cmd, "--path", "PATH"},
           {serve_cmd, "--max-streams", "N"},
           {serve_cmd, "--subprotocol", "NAME"},
           {serve_cmd, "--tls-cert", "FILE"},
           {serve_cmd, "--tls-key", "FILE"},
       }) {
    auto* option = cmd->get_option(std::string(name));
    option->type_name(std::string(value));
    // The checks' own names ("SECONDS:NONNEGATIVE", "FILE:FILE") add nothing to the
    // description; the value name alone is shown.
    for (int i = 0;; ++i) {
      try {
        option->get_validator(i)->description("");
      } catch (const CLI::OptionNotFound&) {
        break;
      }
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version come here too, with exit code 0; every real error is a usage error.
    const int code = app.exit(e);
    out.status = code == 0 ? exit_status::ok : exit_status::usage;
    return out;
  }

  // Generated from the definitions above, so they list every option there is.
  if (print_man_page) {
    fmt::print("{}", man_page(app, footer));
    out.status = exit_status::ok;
    return out;
  }
  if (!completion_shell.empty()) {
    fmt::print("{}", bash_completion(app));
    out.status = exit_status::ok;
    return out;
  }

  out.status = exit_status::usage;
  std::string why;
  if (serve_cmd->parsed()) {
    if (serve.tls_cert.empty() != serve.tls_key.empty()) {
      usage_error("--tls-cert and --tls-key go together");
      return out;
    }
    if (!parse_listen(listen, serve, why)) {
      usage_error(why);
      return out;
    }
    if (!paths.empty()) serve.paths = paths;
    for (const auto& p : serve.paths) {
      if (p.empty() || p.front() != '/') {
        usage_error(fmt::format("--path '{}' must start with '/'", p));
        return out;
      }
    }
    for (const auto& s : serve.subprotocols) {
      if (!is_token(s)) {
        usage_error(fmt::format("subprotocol '{}' is not a valid token", s));
        return out;
      }
    }
    out.what = command_line::mode::serve;
    out.status = exit_status::ok;
    return out;
  }

  if (ping_timeout->count() > 0 && ping_interval->count() > 0 && client.ping_interval_s == 0 &&
      client.ping_timeout_s > 0) {
    usage_error("--ping-timeout needs keepalive PINGs, but --ping-interval is 0");
    return out;
  }
  if (client.cert.empty() != client.key.empty()) {
    usage_error(client.cert.empty() ? "--key needs --cert (the client certificate it belongs to)"
                                    : "--cert needs --key (the certificate's private key)");
    return out;
  }
  if (client.url.empty()) {
    usage_error("a URL is required (e.g. h2ws ws://127.0.0.1:3000/echo)");
    return out;
  }
  if (net::parse_url(client.url, client.target, why)) {
    usage_error(fmt::format("bad URL '{}': {}", client.url, why));
    return out;
  }
  const auto proxy = client.proxy.empty() ? net::proxy_from_environment(client.target)
                                          : net::proxy_setting{client.proxy, "--proxy"};
  if (!proxy.url.empty()) {
    // Checked now, not when connecting: a typo in a variable is a usage error too.
    // (The URL is not echoed: it may carry a password.)
    net::parsed_url parsed_proxy;
    std::string credentials;
    if (net::parse_proxy_url(proxy.url, parsed_proxy, credentials, why)) {
      usage_error(fmt::format("bad proxy URL in {}: {}", proxy.source, why));
      return out;
    }
  }
  client.proxy = proxy.url;
  client.proxy_source = proxy.source;
  for (const auto& s : client.subprotocols) {
    if (!is_token(s)) {
      usage_error(fmt::format("subprotocol '{}' is not a valid token", s));
      return out;
    }
  }
  for (const auto& raw : raw_headers) {
    auto h = parse_header(raw, why);
    if (!h) {
      usage_error(why);
      return out;
    }
    client.headers.push_back(std::move(*h));
  }
  out.what = command_line::mode::client;
  out.status = exit_status::ok;
  return out;
}

}  // namespace h2ws::cli
