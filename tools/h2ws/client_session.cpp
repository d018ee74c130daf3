#include "client_session.hpp"

#include "api/fallback.hpp"
#include "console.hpp"
#include "diagnose.hpp"
#include "encoding.hpp"
#include "event.hpp"
#include <h2ws/h2ws.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace h2ws::cli {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

// How many sends the stdin thread may have outstanding. Beyond it the thread stops
// reading stdin, so a slow server slows the producer instead of growing a queue.
constexpr std::size_t max_sends_in_flight = 64;

h2ws::duration from_seconds(double s) {
  return std::chrono::duration_cast<h2ws::duration>(std::chrono::duration<double>(s));
}

// 1005 means the peer's close frame carried no code: a clean close, not an error code.
bool is_normal_close(std::uint16_t code) { return code == 1000 || code == 1001 || code == 1005; }

// Why the client stops sending and closes (the first reason wins).
enum class end_reason {
  none,
  end_of_input,  // stdin ended (or, with -1, its one line went out): -w may keep receiving
  signal,        // SIGINT or SIGTERM: close at once
  bad_input,     // a line that cannot be sent as asked: close at once, exit 1
  one_message,   // -1: the first message arrived
};

console::binary_output binary_output_for(const client_config& cfg) {
  // Raw bytes would garble a terminal; in a pipe they stay as they are unless --base64.
  if (::isatty(STDOUT_FILENO) == 1) return console::binary_output::marked;
  return cfg.base64 ? console::binary_output::base64 : console::binary_output::raw;
}

// What the stdin thread and the io thread share. The stdin thread touches the session
// only while holding `mutex` and `stopped` is false; the session sets `stopped` (under
// the mutex) before it goes away, so a thread still blocked in getline stays harmless.
struct input_state {
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t in_flight = 0;  // sends started and not completed
  bool stopped = false;       // the session is over, or a send failed: send nothing more
  bool finished = false;      // the thread's loop has returned (it may be joined)
};

class client_session {
 public:
  explicit client_session(const client_config& cfg)
      : cfg_(cfg),
        console_(::isatty(STDIN_FILENO) == 1,
                 ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1,
                 binary_output_for(cfg)) {
    opts_.connect_timeout = from_seconds(cfg.connect_timeout_s);
    opts_.open_timeout = opts_.connect_timeout;
    opts_.ping_interval = from_seconds(cfg.ping_interval_s);
    opts_.ping_timeout = from_seconds(cfg.ping_timeout_s);
    opts_.max_message_size = cfg.max_message;
    opts_.ca_file = cfg.cacert;
    opts_.insecure = cfg.insecure;
    opts_.cert_file = cfg.cert;
    opts_.key_file = cfg.key;
    opts_.force_http1 = cfg.http1;
    opts_.fallback = cfg.fallback;
    opts_.compression = cfg.compress;
    opts_.proxy = cfg.proxy;
    if (cfg.verbose && !opts_.proxy.empty())
      fmt::print(stderr, "h2ws: through proxy {} (from {})\n", opts_.proxy, cfg.proxy_source);
    if (cfg.verbose) {
      opts_.trace = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
    }
  }

  exit_status run();

 private:
  asio::awaitable<exit_status> session();
  asio::awaitable<void> open();
  asio::awaitable<void> open_reconnecting(h2ws::websocket_request request);
  void on_reconnect_event(const h2ws::reconnect_event& e);
  void describe(const h2ws::websocket& ws) const;
  std::uint16_t peer_close_code() const;
  std::string peer_close_reason() const;
  asio::awaitable<void> read_messages();
  asio::awaitable<void> close_on_end_of_input();
  exit_status outcome();
  // Where an open failed: connecting (TCP, TLS, SETTINGS), the CONNECT, or h2ws::connect
  // (either; told apart by the error).
  enum class stage { connect, open, either };
  asio::awaitable<void> open_http1(h2ws::websocket_request request, std::string http2_failure);
  std::string describe_failure(error_code ec, unsigned status, stage at) const;
  void report_failure(error_code ec, unsigned status, stage at);
  // What to do about `ec`, found by probing the server when that helps; empty = nothing.
  std::string hint_for(error_code ec) const;
  void read_stdin(std::shared_ptr<input_state> in);
  void stop_input();
  void end_input(end_reason why);
  // A note on stderr (not an error): silenced by -q.
  template <class... Args>
  void note(fmt::format_string<Args...> format, Args&&... args) const {
    if (!cfg_.quiet) fmt::print(stderr, format, std::forward<Args>(args)...);
  }

  // Declared first so that it is destroyed last: everything below may hold work on it.
  asio::io_context ioc_;
  const client_config& cfg_;
  h2ws::options opts_;
  console console_;
  h2ws::connection conn_;
  h2ws::websocket ws_;
  bool connected_ = false;
  // --reconnect: the websocket, and whether its first open succeeded.
  std::optional<h2ws::reconnecting_websocket> rws_;
  bool ever_connected_ = false;
  event first_attempt_{ioc_.get_executor()};

  event open_done_{ioc_.get_executor()};
  std::optional<exit_status> open_status_;  // set when open() finished; ok = websocket open
  bool open_abandoned_ = false;             // the watchdog expired: open() must not touch us
  const char* stage_ = "connecting to";     // for the message when --connect-timeout expires

  event input_ended_{ioc_.get_executor()};  // see end_reason_
  end_reason end_reason_ = end_reason::none;
  // Cuts the -w wait (and -1's wait for its message) short: the websocket ended, a signal
  // came, or -1's message arrived.
  event linger_{ioc_.get_executor()};
  bool first_message_seen_ = false;
  event reader_done_{ioc_.get_executor()};
  event close_done_{ioc_.get_executor()};
  error_code receive_error_;
  error_code close_error_;
  bool close_started_ = false;

  std::shared_ptr<input_state> input_ = std::make_shared<input_state>();
  std::thread stdin_thread_;
};

exit_status client_session::run() {
  std::optional<exit_status> result;
  asio::co_spawn(ioc_, session(), [&result](std::exception_ptr e, exit_status s) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        fmt::print(stderr, "h2ws: internal error: {}\n", x.what());
      }
      s = exit_status::connection_lost;
    }
    result = s;
  });
  while (!result && ioc_.run_one() > 0) {
  }

  stop_input();
  // Dropping the handles resets a stream still open and lets the connection send GOAWAY
  // and close; give that a moment, bounded, rather than cutting the TCP connection.
  ws_ = h2ws::websocket{};
  rws_.reset();
  if (connected_) {
    conn_.close();
    conn_ = h2ws::connection{};
  }
  input_ended_.set();  // wakes close_on_end_of_input() if it still waits
  ioc_.restart();
  ioc_.run_for(1s);

  {
    std::lock_guard lock(input_->mutex);
    if (stdin_thread_.joinable() && !input_->finished) {
      // Blocked in getline on a terminal or a pipe that stays open: nothing can wake it.
      // It no longer touches the session (stopped is set), so let the process exit under it.
      stdin_thread_.detach();
    }
  }
  if (stdin_thread_.joinable()) stdin_thread_.join();
  return result.value_or(exit_status::connection_lost);
}

asio::awaitable<exit_status> client_session::session() {
  if (cfg_.target.tls && cfg_.insecure) {
    note(
        "h2ws: warning: --insecure: the server's certificate is not verified; anyone "
        "on the path can read and change this session\n");
  }

  // --connect-timeout bounds everything up to the answer to the CONNECT. The library
  // bounds each phase on its own, so one watchdog here keeps the sum within the limit.
  asio::co_spawn(ioc_, open(), [this](std::exception_ptr) { open_done_.set(); });
  const bool opened_in_time = co_await open_done_.wait(opts_.connect_timeout);
  if (!opened_in_time) {
    open_abandoned_ = true;
    fmt::print(stderr, "h2ws: timed out after {} s {} {}\n", cfg_.connect_timeout_s, stage_,
               cfg_.target.authority);
    co_return exit_status::connect_failed;
  }
  if (open_status_ != exit_status::ok) co_return open_status_.value_or(exit_status::connect_failed);

  if (!rws_) describe(ws_);  // (with --reconnect, the `connected` event does)

  // Ctrl-C and SIGTERM close the websocket properly, as end of input does.
  asio::signal_set signals(ioc_, SIGINT, SIGTERM);
  signals.async_wait([this](error_code ec, int) {
    if (!ec) end_input(end_reason::signal);
  });
  stdin_thread_ = std::thread([this, in = input_] { read_stdin(in); });
  asio::co_spawn(ioc_, read_messages(), [this](std::exception_ptr) {
    reader_done_.set();
    linger_.set();
  });
  asio::co_spawn(ioc_, close_on_end_of_input(), asio::detached);

  co_await reader_done_.wait();
  stop_input();
  signals.cancel();
  if (close_started_) {
    // The library bounds the close by close_timeout; the margin only guards against a bug.
    co_await close_done_.wait(opts_.close_timeout + 2s);
  }
  const auto status = outcome();
  // The lines before a bad one went out and the websocket closed normally; the input was
  // still wrong.
  if (end_reason_ == end_reason::bad_input && status == exit_status::ok)
    co_return exit_status::usage;
  co_return status;
}

void client_session::end_input(end_reason why) {
  if (end_reason_ == end_reason::none) end_reason_ = why;
  if (why != end_reason::end_of_input) linger_.set();
  input_ended_.set();
}

void client_session::describe(const h2ws::websocket& ws) const {
  if (!cfg_.verbose) return;
  fmt::print(stderr, "h2ws: extensions: {}\n",
             ws.extensions().empty() ? "(none)" : ws.extensions());
  if (ws.http_version() == 1) {
    fmt::print(stderr, "h2ws: websocket open over HTTP/1.1 (Upgrade), subprotocol: {}\n",
               ws.subprotocol().empty() ? "(none)" : ws.subprotocol());
  } else {
    fmt::print(stderr, "h2ws: websocket open on HTTP/2 stream {} (RFC 8441), subprotocol: {}\n",
               ws.stream_id(), ws.subprotocol().empty() ? "(none)" : ws.subprotocol());
  }
}

asio::awaitable<void> client_session::open_reconnecting(h2ws::websocket_request request) {
  h2ws::reconnect_options ropts;
  ropts.on_event = [this](const h2ws::reconnect_event& e) { on_reconnect_event(e); };
  rws_.emplace(ioc_.get_executor(), cfg_.url, std::move(request), opts_, std::move(ropts));
  rws_->run([](error_code) {});  // receive() reports how it ended
  co_await first_attempt_.wait();
}

// An error message inside a sentence of ours: without its final period.
std::string clause(error_code ec) {
  auto text = ec.message();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void client_session::on_reconnect_event(const h2ws::reconnect_event& e) {
  using kind = h2ws::reconnect_event::kind;
  const double delay_s = std::chrono::duration<double>(e.delay).count();
  if (!ever_connected_) {
    // The first open fails as it would without --reconnect: a typo should not spin forever.
    if (e.what == kind::connected) {
      ever_connected_ = true;
      open_status_ = exit_status::ok;
      describe(*e.ws);
    } else {
      if (open_abandoned_) return;
      report_failure(e.reason, e.status, stage::either);
      open_status_ = exit_status::connect_failed;
      rws_->close(h2ws::close_code::normal, "", [](error_code) {});
    }
    first_attempt_.set();
    return;
  }
  switch (e.what) {
    case kind::connected:
      note("h2ws: reconnected to {}\n", cfg_.target.authority);
      describe(*e.ws);
      break;
    case kind::lost:
      note("h2ws: connection lost: {}; reconnecting in {:.1f} s\n", clause(e.reason), delay_s);
      if (e.not_sent > 0)
        fmt::print(stderr, "h2ws: {} line(s) not confirmed by the server before the loss\n",
                   e.not_sent);
      break;
    case kind::attempt_failed:
      note("h2ws: reconnection attempt {} failed: {}; next in {:.1f} s\n", e.attempt,
           clause(e.reason), delay_s);
      break;
    case kind::gave_up:
      fmt::print(stderr, "h2ws: giving up reconnecting: {}\n", clause(e.reason));
      break;
  }
}

asio::awaitable<void> client_session::open() {
  h2ws::websocket_request request{.path = cfg_.target.target,
                                  .authority = cfg_.target.authority,
                                  .subprotocols = cfg_.subprotocols,
                                  .headers = cfg_.headers};
  if (cfg_.reconnect) {
    co_await open_reconnecting(std::move(request));
    co_return;
  }
  if (opts_.force_http1) {
    co_await open_http1(std::move(request), {});
    co_return;
  }
  // RFC 8441; with --fallback, the first of two attempts. (The CLI takes the two steps of
  // h2ws::connect itself, with the library's own rules for when to fall back, so that a
  // failed fallback can name both attempts.)
  auto [ec, conn] = co_await h2ws::connection::connect(ioc_.get_executor(), cfg_.url, opts_,
                                                       asio::as_tuple(asio::use_awaitable));
  if (open_abandoned_) co_return;  // the watchdog gave up; nobody waits for us
  if (ec) {
    if (opts_.fallback && h2ws::detail::connect_failure_means_no_http2(ec)) {
      co_await open_http1(std::move(request), describe_failure(ec, 0, stage::connect));
      co_return;
    }
    report_failure(ec, 0, stage::connect);
    open_status_ = exit_status::connect_failed;
    co_return;
  }
  conn_ = std::move(conn);
  connected_ = true;
  stage_ = "waiting for the answer to the CONNECT from";

  auto [open_ec, ws] = co_await conn_.open_websocket(request, asio::as_tuple(asio::use_awaitable));
  if (open_abandoned_) co_return;
  if (open_ec) {
    if (opts_.fallback && h2ws::detail::open_failure_means_no_rfc8441(open_ec, ws)) {
      conn_.close();
      conn_ = h2ws::connection{};
      connected_ = false;
      co_await open_http1(std::move(request), describe_failure(open_ec, ws.status(), stage::open));
      co_return;
    }
    report_failure(open_ec, ws.status(), stage::open);
    open_status_ = exit_status::connect_failed;
    co_return;
  }
  ws_ = std::move(ws);
  open_status_ = exit_status::ok;
}

asio::awaitable<void> client_session::open_http1(h2ws::websocket_request request,
                                                 std::string http2_failure) {
  const bool fallback = !http2_failure.empty();
  if (fallback && cfg_.verbose)
    fmt::print(stderr, "h2ws: over HTTP/2 (RFC 8441): {}; trying an HTTP/1.1 Upgrade\n",
               http2_failure);
  auto h1 = opts_;
  h1.force_http1 = true;
  h1.fallback = false;
  stage_ = fallback ? "opening the HTTP/1.1 fallback to" : "connecting to";
  auto [ec, ws] = co_await h2ws::connect(ioc_.get_executor(), cfg_.url, std::move(request), h1,
                                         asio::as_tuple(asio::use_awaitable));
  if (open_abandoned_) co_return;
  if (ec) {
    if (fallback) {
      fmt::print(stderr,
                 "h2ws: --fallback: both attempts failed\n"
                 "h2ws:   over HTTP/2 (RFC 8441): {}\n"
                 "h2ws:   with an HTTP/1.1 Upgrade: {}\n",
                 http2_failure, describe_failure(ec, ws.status(), stage::either));
      if (const auto hint = hint_for(ec); !hint.empty()) fmt::print(stderr, "h2ws: {}\n", hint);
    } else {
      report_failure(ec, ws.status(), stage::either);
    }
    open_status_ = exit_status::connect_failed;
    co_return;
  }
  ws_ = std::move(ws);
  open_status_ = exit_status::ok;
}

std::string client_session::describe_failure(error_code ec, unsigned status, stage at) const {
  const auto& where = cfg_.target.authority;
  if (ec == h2ws::error::refused)
    return fmt::format("server refused: HTTP {} ({}{})", status, where, cfg_.target.target);
  if (ec == h2ws::error::no_extended_connect)
    return fmt::format("server does not support RFC 8441 (no SETTINGS_ENABLE_CONNECT_PROTOCOL): {}",
                       where);
  if (ec == h2ws::error::timeout) {
    return fmt::format(
        "timed out after {} s {} {}", cfg_.connect_timeout_s,
        at == stage::open ? "waiting for the answer to the CONNECT from" : "connecting to", where);
  }
  if (!cfg_.proxy.empty()) {
    const auto lowered = [&] {
      std::string p = cfg_.proxy.substr(0, 6);
      for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return p;
    }();
    const char* kind = lowered == "socks5" ? "SOCKS5" : "HTTP";
    if (ec == h2ws::error::proxy_auth_required) {
      net::parsed_url proxy;
      std::string credentials;
      net::parse_proxy_url(cfg_.proxy, proxy, credentials);
      if (!credentials.empty())
        return fmt::format("the {} proxy (from {}) refused the credentials in its URL", kind,
                           cfg_.proxy_source);
      return fmt::format(
          "the {} proxy (from {}) requires authentication{}: put user:password@ in its URL", kind,
          cfg_.proxy_source, std::string_view(kind) == "HTTP" ? " (407)" : "");
    }
    if (ec == h2ws::error::proxy_refused) {
      return fmt::format("the {} proxy (from {}) refused to open a tunnel to {} (-v tells why)",
                         kind, cfg_.proxy_source, where);
    }
    if (at != stage::open && !(ec == h2ws::condition::handshake_failed))
      return fmt::format("cannot connect to {} through the {} proxy (from {}): {}", where, kind,
                         cfg_.proxy_source, clause(ec));
  }
  if (at == stage::open || ec == h2ws::condition::handshake_failed)
    return fmt::format("websocket handshake with {} failed: {}", where, clause(ec));
  return fmt::format("cannot connect to {}: {}", where, clause(ec));
}

void client_session::report_failure(error_code ec, unsigned status, stage at) {
  fmt::print(stderr, "h2ws: {}\n", describe_failure(ec, status, at));
  if (const auto hint = hint_for(ec); !hint.empty()) fmt::print(stderr, "h2ws: {}\n", hint);
}

namespace {

int ssl_reason(error_code ec) {
  return ec.category() == asio::error::get_ssl_category()
             ? ERR_GET_REASON(static_cast<unsigned long>(ec.value()))
             : 0;
}

bool is_certificate_verify_failure(error_code ec) {
  return ssl_reason(ec) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

// The server's alert about our client certificate (mutual TLS).
bool is_client_certificate_refusal(error_code ec) {
  switch (ssl_reason(ec)) {
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      return true;
    default:
      return false;
  }
}

// Failures that say nothing about TLS versus cleartext on the port.
bool unrelated_to_tls(error_code ec) {
  return ec == h2ws::error::refused || ec == h2ws::error::no_extended_connect ||
         ec == h2ws::error::timeout || ec == h2ws::error::no_h2_alpn ||
         ec == h2ws::error::unexpected_subprotocol || ec == h2ws::error::tunnel_closed ||
         ec == h2ws::error::stream_reset || ec == h2ws::error::goaway ||
         ec == h2ws::error::bad_extension_negotiation || ec == h2ws::error::proxy_refused ||
         ec == h2ws::error::proxy_auth_required || ec == h2ws::error::bad_url ||
         ec == asio::error::connection_refused || ec == asio::error::host_not_found ||
         ec == asio::error::host_not_found_try_again || ec == asio::error::network_unreachable ||
         ec == asio::error::host_unreachable || ec == asio::error::timed_out;
}

// The URL with the other scheme: ws <-> wss, http <-> https.
std::string with_scheme_swapped(const std::string& url, bool to_tls) {
  const auto sep = url.find("://");
  std::string scheme = url.substr(0, sep);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (to_tls)
    scheme = scheme == "http" ? "https" : "wss";
  else
    scheme = scheme == "https" ? "http" : "ws";
  return scheme + url.substr(sep);
}

}  // namespace

std::string client_session::hint_for(error_code ec) const {
  // Found before connecting (the TLS context did not load): say which files disagree.
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_LIB(static_cast<unsigned long>(ec.value())) == ERR_LIB_X509 &&
      ssl_reason(ec) == X509_R_KEY_VALUES_MISMATCH)
    return fmt::format("{} is not the private key of {}", cfg_.key, cfg_.cert);
  // The probes connect directly; through a proxy they would test something else.
  if (!opts_.proxy.empty() || !ec) return {};
  constexpr auto probe_limit = std::chrono::milliseconds(2000);
  const auto& t = cfg_.target;
  if (t.tls && ssl_reason(ec) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) {
    return cfg_.cert.empty()
               ? "the server requires a client certificate: give one with --cert FILE --key FILE"
               : "the server required a client certificate but did not take --cert's";
  }
  if (t.tls && is_client_certificate_refusal(ec)) {
    return cfg_.cert.empty()
               ? "the server refused the connection over client authentication: it may want a "
                 "client certificate (--cert FILE --key FILE)"
               : fmt::format(
                     "the server refused the client certificate {}: use one issued by a "
                     "CA the server trusts",
                     cfg_.cert);
  }
  if (t.tls && is_certificate_verify_failure(ec)) {
    const auto check = check_certificate(t.host, t.port, cfg_.cacert, probe_limit);
    if (check.handshake_done && check.name_mismatch) {
      return fmt::format(
          "the server's certificate is not valid for {} ({}): connect with a name the "
          "certificate lists, or skip verification with -k/--insecure",
          t.host, check.reason);
    }
    return fmt::format(
        "the server's certificate is not trusted{}: trust its CA with --cacert FILE, or skip "
        "verification with -k/--insecure",
        check.handshake_done && !check.trusted ? " (" + check.reason + ")" : std::string());
  }
  if (unrelated_to_tls(ec)) return {};
  if (t.tls) {
    const auto found = probe_cleartext(t.host, t.port, probe_limit);
    if (found != port_speaks::unknown) {
      const char* what = found == port_speaks::cleartext_http2   ? "cleartext HTTP/2"
                         : found == port_speaks::cleartext_http1 ? "cleartext HTTP/1.1"
                                                                 : "cleartext";
      return fmt::format("{} does not speak TLS (it answered in {}): use {}", t.authority, what,
                         with_scheme_swapped(cfg_.url, false));
    }
  } else if (check_certificate(t.host, t.port, {}, probe_limit).handshake_done) {
    return fmt::format("{} speaks TLS: use {}", t.authority, with_scheme_swapped(cfg_.url, true));
  }
  return {};
}

asio::awaitable<void> client_session::read_messages() {
  for (;;) {
    error_code ec;
    h2ws::message m;
    if (rws_) {
      std::tie(ec, m) = co_await rws_->receive(asio::as_tuple(asio::use_awaitable));
    } else {
      std::tie(ec, m) = co_await ws_.receive(asio::as_tuple(asio::use_awaitable));
    }
    if (ec) {
      receive_error_ = ec;
      co_return;
    }
    if (cfg_.one_message) {
      // -1: the first message is the answer; anything after it is not printed.
      if (first_message_seen_) continue;
      first_message_seen_ = true;
      console_.print(m);
      end_input(end_reason::one_message);
      continue;
    }
    console_.print(m);
  }
}

asio::awaitable<void> client_session::close_on_end_of_input() {
  co_await input_ended_.wait();
  if (reader_done_.is_set()) co_return;  // the websocket already ended
  if (end_reason_ == end_reason::end_of_input) {
    // -w: late replies still arrive; -1: its message has not come yet.
    const bool awaiting_message = cfg_.one_message && !first_message_seen_;
    if (cfg_.wait_s > 0 || awaiting_message) {
      co_await linger_.wait(from_seconds(cfg_.wait_s));
      if (reader_done_.is_set()) co_return;
      if (cfg_.one_message && !first_message_seen_)
        note("h2ws: no message arrived within {} s (-w); closing\n", cfg_.wait_s);
    }
  }
  close_started_ = true;
  error_code ec;
  if (rws_) {
    std::tie(ec) =
        co_await rws_->close(h2ws::close_code::normal, "", asio::as_tuple(asio::use_awaitable));
  } else {
    std::tie(ec) =
        co_await ws_.close(h2ws::close_code::normal, "", asio::as_tuple(asio::use_awaitable));
  }
  close_error_ = ec;
  close_done_.set();
}

std::uint16_t client_session::peer_close_code() const {
  return rws_ ? rws_->peer_close_code() : ws_.peer_close_code();
}

std::string client_session::peer_close_reason() const {
  return rws_ ? rws_->peer_close_reason() : ws_.peer_close_reason();
}

exit_status client_session::outcome() {
  const auto& ec = receive_error_;
  const bool we_closed_cleanly = close_started_ && close_done_.is_set() && !close_error_;
  const bool violation = ec == h2ws::condition::protocol_violation ||
                         ec == h2ws::error::message_too_big || ec == h2ws::error::frame_too_big;
  if (!violation && (ec == h2ws::error::closed || we_closed_cleanly)) {
    const auto code = peer_close_code();
    if (is_normal_close(code)) {
      if (cfg_.verbose) fmt::print(stderr, "h2ws: websocket closed ({})\n", code);
      return exit_status::ok;
    }
    const auto reason = peer_close_reason();
    fmt::print(stderr, "h2ws: server closed the websocket with code {}{}{}\n", code,
               reason.empty() ? "" : ": ", reason);
    return exit_status::peer_closed_with_error;
  }

  if (close_started_ && (!close_done_.is_set() || close_error_ == h2ws::error::timeout)) {
    fmt::print(stderr, "h2ws: the server did not answer our close frame in time\n");
  } else if (ec == h2ws::error::message_too_big) {
    fmt::print(stderr, "h2ws: a message exceeded --max-message ({} bytes); closed with 1009\n",
               cfg_.max_message);
  } else if (ec == h2ws::error::timeout && cfg_.ping_interval_s > 0 && cfg_.ping_timeout_s > 0) {
    fmt::print(stderr,
               "h2ws: connection lost: no answer to a keepalive PING within {} s "
               "(--ping-timeout)\n",
               cfg_.ping_timeout_s);
  } else if (ec == h2ws::error::stream_reset) {
    fmt::print(stderr, "h2ws: the server reset the stream (HTTP/2 error code {})\n",
               ws_.reset_code());
  } else if (violation) {
    fmt::print(stderr, "h2ws: protocol error: {}\n", ec.message());
  } else if (ec) {
    fmt::print(stderr, "h2ws: connection lost: {}\n", ec.message());
  } else {
    fmt::print(stderr, "h2ws: connection lost: {}\n", close_error_.message());
  }
  return exit_status::connection_lost;
}

void client_session::read_stdin(std::shared_ptr<input_state> in) {
  const auto kind = cfg_.binary ? h2ws::message::kind::binary : h2ws::message::kind::text;
  std::string line;
  std::size_t line_number = 0;
  // How the loop ended: end of input (or -1's one line sent), or a line that cannot be sent.
  bool end_of_input = false;
  bool bad_line = false;
  for (;;) {
    {
      std::lock_guard lock(in->mutex);
      if (in->stopped) break;
      console_.show_prompt();
    }
    end_of_input = !std::getline(std::cin, line);

    std::unique_lock lock(in->mutex);
    if (in->stopped) break;
    console_.hide_prompt(end_of_input);
    if (end_of_input) break;
    ++line_number;
    // Never send what the peer must refuse (a text message that is not UTF-8 gets close
    // 1007 and loses every later line), nor guess at bad base64: say which line, and stop.
    if (cfg_.binary && cfg_.base64) {
      auto decoded =
          base64_decode(line.ends_with('\r') ? std::string_view(line).substr(0, line.size() - 1)
                                             : std::string_view(line));
      if (!decoded) {
        fmt::print(stderr,
                   "h2ws: line {} of stdin is not valid base64 (--binary --base64 decodes every "
                   "line); the lines before it were sent, closing\n",
                   line_number);
        bad_line = true;
        break;
      }
      line = std::move(*decoded);
    } else if (!cfg_.binary) {
      if (const auto bad = first_invalid_utf8(line)) {
        fmt::print(stderr,
                   "h2ws: line {} of stdin is not valid UTF-8 (byte {}), and a text message must "
                   "be: use --binary to send lines as binary messages; the lines before it were "
                   "sent, closing\n",
                   line_number, *bad + 1);
        bad_line = true;
        break;
      }
    }
    in->cv.wait(lock, [&] { return in->stopped || in->in_flight < max_sends_in_flight; });
    if (in->stopped) break;
    ++in->in_flight;
    // Sends are queued in call order by the library, so lines arrive in order even
    // though several are in flight.
    if (rws_) {
      // A line lost to a reconnection is reported; the session goes on.
      rws_->send(h2ws::message(kind, line), [in, line](error_code ec) {
        std::lock_guard lock(in->mutex);
        --in->in_flight;
        if (ec == h2ws::condition::peer_went_away || ec == h2ws::error::timeout ||
            ec == h2ws::error::send_queue_full)
          fmt::print(stderr, "h2ws: not sent ({}): {}\n", clause(ec), line);
        else if (ec)
          in->stopped = true;
        in->cv.notify_all();
      });
    } else {
      ws_.send(h2ws::message(kind, std::move(line)), [in](error_code ec) {
        std::lock_guard lock(in->mutex);
        --in->in_flight;
        if (ec) in->stopped = true;  // the websocket failed; the reader reports why
        in->cv.notify_all();
      });
    }
    line.clear();
    if (cfg_.one_message) {
      end_of_input = true;  // -1: one line only; the rest of stdin is not read
      break;
    }
  }

  std::unique_lock lock(in->mutex);
  if (end_of_input || bad_line) {
    // Close only once every line is in the peer's window, so none is lost to the close.
    in->cv.wait(lock, [&] { return in->stopped || in->in_flight == 0; });
    if (!in->stopped) {
      const auto why = bad_line ? end_reason::bad_input : end_reason::end_of_input;
      asio::post(ioc_, [this, why] { end_input(why); });
    }
  }
  in->finished = true;
}

void client_session::stop_input() {
  std::lock_guard lock(input_->mutex);
  input_->stopped = true;
  input_->cv.notify_all();
}

}  // namespace

exit_status run_client(const client_config& cfg) {
  // Only the stdin thread uses iostreams (std::cin); stdout goes through stdio. Unsyncing
  // gives std::cin its own buffer instead of a stdio call per character.
  std::ios::sync_with_stdio(false);
  client_session session(cfg);
  return session.run();
}

}  // namespace h2ws::cli
