#include "net/dial.hpp"

#include "net/proxy_tunnel.hpp"
#include "net/socks5_tunnel.hpp"
#include "net/tls.hpp"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/ssl.h>

namespace h2ws::net {

namespace asio = boost::asio;
using boost::system::error_code;

void set_tls_options(dial_settings& settings, const options& opts) {
  settings.ca_file = opts.ca_file;
  settings.cert_file = opts.cert_file;
  settings.key_file = opts.key_file;
  settings.verify = !opts.insecure;
  settings.context = opts.ssl_context;
}

namespace {

// The client's TLS context: the caller's own, or one built from the settings.
error_code client_context(const dial_settings& settings, std::shared_ptr<asio::ssl::context>& out,
                          const std::function<void(const std::string&)>& trace) {
  if (settings.context) {
    if (!settings.ca_file.empty() || !settings.cert_file.empty() || !settings.key_file.empty()) {
      trace("! options::ssl_context is set: ca_file, cert_file and key_file must be empty");
      return make_error_code(boost::system::errc::invalid_argument);
    }
    out = settings.context;
    return {};
  }
  if (settings.cert_file.empty() != settings.key_file.empty()) {
    trace("! a client certificate needs both cert_file and key_file");
    return make_error_code(boost::system::errc::invalid_argument);
  }
  tls_client_settings tls;
  tls.ca_file = settings.ca_file;
  tls.cert_file = settings.cert_file;
  tls.key_file = settings.key_file;
  tls.verify = settings.verify;
  tls.alpn = settings.protocols;
  std::unique_ptr<asio::ssl::context> context;
  if (auto ec = make_client_context(tls, context)) {
    trace("! TLS setup failed: " + ec.message());
    return ec;
  }
  out = std::move(context);
  return {};
}

}  // namespace

asio::awaitable<error_code> dial(const strand& ex, const parsed_url& url,
                                 const dial_settings& settings, dial_result& out,
                                 tcp_socket** in_progress) {
  auto trace = [&](const std::string& line) {
    if (settings.trace) settings.trace(line);
  };
  // TLS settings first: a bad certificate file fails before any connection is made.
  std::shared_ptr<asio::ssl::context> context;
  if (url.tls) {
    if (auto ec = client_context(settings, context, trace)) co_return ec;
  }
  // Through a proxy, the TCP connection goes to the proxy, then a CONNECT tunnel
  // carries everything else (TLS included) to the server.
  parsed_url proxy;
  std::string credentials;
  if (!settings.proxy.empty()) {
    if (auto ec = parse_proxy_url(settings.proxy, proxy, credentials)) co_return ec;
  }
  const auto& first_hop = settings.proxy.empty() ? url : proxy;
  // An address needs no resolver (nor its thread, which an io_context run with
  // BOOST_ASIO_CONCURRENCY_HINT_UNSAFE could not take completions from).
  std::vector<asio::ip::tcp::endpoint> endpoints;
  error_code aec;
  if (const auto address = asio::ip::make_address(first_hop.host, aec); !aec) {
    endpoints.emplace_back(address, first_hop.port);
  } else {
    asio::ip::tcp::resolver resolver(ex);
    trace("* resolving " + first_hop.host);
    auto [rec, results] = co_await resolver.async_resolve(
        first_hop.host, std::to_string(first_hop.port), asio::as_tuple(asio::use_awaitable));
    if (rec) co_return rec;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  tcp_socket socket(ex);
  *in_progress = &socket;
  auto [cec, endpoint] =
      co_await asio::async_connect(socket, endpoints, asio::as_tuple(asio::use_awaitable));
  *in_progress = nullptr;
  if (cec) co_return cec;
  drop_write_interest(socket);
  auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  if (!settings.proxy.empty() && proxy.scheme != "http") {
    trace("* connected to SOCKS5 proxy " + where);
    *in_progress = &socket;
    auto sec = co_await open_socks5_tunnel(socket, url.host, url.port, proxy.scheme == "socks5h",
                                           credentials, trace);
    *in_progress = nullptr;
    if (sec) co_return sec;
    trace("* SOCKS5 tunnel open");
    where = url.authority + " through the proxy";
  } else if (!settings.proxy.empty()) {
    trace("* connected to proxy " + where + ", CONNECT " + url.authority);
    unsigned status = 0;
    *in_progress = &socket;
    auto tec = co_await open_tunnel(socket, url.host, url.port, credentials, status);
    *in_progress = nullptr;
    if (tec) {
      trace("! proxy tunnel failed" +
            (status ? ": HTTP " + std::to_string(status) : std::string()) + " (" + tec.message() +
            ")");
      co_return tec;
    }
    trace("* proxy tunnel open (HTTP " + std::to_string(status) + ")");
    where = url.authority + " through the proxy";
  }
  if (!url.tls) {
    trace("* connected to " + where + " (cleartext)");
    out.stream = std::make_unique<transport>(std::move(socket));
    co_return error_code{};
  }

  out.tls_context = std::move(context);
  auto stream = std::make_unique<tls_stream>(std::move(socket), *out.tls_context);
  if (auto ec = prepare_client_stream(*stream, url.host, settings.verify)) co_return ec;
  trace("* connected to " + where + ", TLS handshake");
  bool certificate_requested = false;
  watch_certificate_request(*stream, certificate_requested);
  *in_progress = &stream->next_layer();
  auto [hec] = co_await stream->async_handshake(asio::ssl::stream_base::client,
                                                asio::as_tuple(asio::use_awaitable));
  *in_progress = nullptr;
  stop_watching_certificate_request(*stream);
  if (hec) {
    trace("! TLS handshake failed: " + hec.message());
    co_return hec;
  }
  out.alpn = selected_alpn(*stream);
  std::vector<std::uint8_t> already_read;
  if (out.alpn == "h2" && server_verdict_pending(*stream, certificate_requested)) {
    // TLS 1.3 with client authentication: our handshake is over before the server has
    // checked our certificate, and a refusal comes as an alert on the next read. The
    // server's HTTP/2 preface comes first in either case, so wait for it here (the connect
    // deadline bounds the wait): a refusal is then a TLS error of the connect, not a
    // connection lost later. What arrives is handed to the connection.
    trace("* the server asked for a client certificate" +
          std::string(SSL_get_certificate(stream->native_handle()) ? "" : " (we have none)") +
          ", waiting for its answer");
    already_read.resize(16 * 1024);
    *in_progress = &stream->next_layer();
    auto [rec, n] = co_await stream->async_read_some(asio::buffer(already_read),
                                                     asio::as_tuple(asio::use_awaitable));
    *in_progress = nullptr;
    if (rec) {
      trace("! TLS: the server refused the connection: " + rec.message());
      co_return rec;
    }
    already_read.resize(n);
  }
  trace("* TLS established, ALPN: " + (out.alpn.empty() ? std::string("(none)") : out.alpn));
  out.stream = std::make_unique<transport>(std::move(stream), std::move(already_read));
  co_return error_code{};
}

}  // namespace h2ws::net
