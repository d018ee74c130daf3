// connection_impl, client role: dialing and the connection preface, the extended CONNECT of
// each websocket, plain requests and their answers. (The connection's loops and stream
// registry are in connection_impl.cpp; the server role's routing in src/server/h2_streams.cpp.)
#include "detail/completion.hpp"
#include "detail/connection_impl.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include "net/dial.hpp"
#include "net/proxy_environment.hpp"
#include "net/tls.hpp"
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>

#include <algorithm>
#include <cctype>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Headers the extended CONNECT must not carry (RFC 8441, RFC 9113 8.2.2).
bool forbidden_request_header(std::string_view name) {
  static constexpr std::string_view forbidden[] = {"host",
                                                   "connection",
                                                   "upgrade",
                                                   "sec-websocket-key",
                                                   "sec-websocket-version",
                                                   "keep-alive",
                                                   "proxy-connection",
                                                   "transfer-encoding",
                                                   "te"};
  if (name.empty() || name.front() == ':') return true;
  return std::find(std::begin(forbidden), std::end(forbidden), name) != std::end(forbidden);
}

}  // namespace

void connection_impl::start_client(net::parsed_url url, connection::connect_handler handler) {
  url_ = std::move(url);
  store_handler(connect_handler_, std::move(handler));
  // Terminal cancellation ends the attempt as a failure would: socket closed, handler
  // completed with operation_aborted.
  on_cancellation(connect_handler_, *this, strand_,
                  [](connection_impl& self, asio::cancellation_type type) {
                    if (!is_terminal(type) || !self.connect_handler_) return;
                    self.trace("! connect cancelled");
                    self.finish_connect(make_error_code(error::operation_aborted));
                  });
  if (opts_.connect_timeout.count() > 0) {
    // One deadline for resolve, connect, preface and the server's SETTINGS.
    deadline_.expires_after(opts_.connect_timeout);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || !self->connect_handler_) return;
      self->trace("! connect timed out");
      self->finish_connect(make_error_code(error::timeout));
    });
  }
  asio::co_spawn(strand_, connect_flow(url_), [self = shared_from_this()](std::exception_ptr) {});
}

asio::awaitable<void> connection_impl::connect_flow(net::parsed_url url) {
  net::dial_settings settings;
  settings.ca_file = opts_.ca_file;
  settings.verify = !opts_.insecure;
  net::set_tls_options(settings, opts_);  // client certificate, the caller's ssl_context
  settings.protocols = opts_.fallback ? net::alpn_offer::h2_and_http1 : net::alpn_offer::h2;
  settings.trace = opts_.trace;
  settings.proxy = net::proxy_for(opts_, url);
  net::dial_result dialed;
  auto ec = co_await net::dial(strand_, url, settings, dialed, &connecting_socket_);
  if (!connect_handler_) co_return;  // the deadline passed meanwhile
  if (ec) {
    finish_connect(ec);
    co_return;
  }
  if (url.tls && dialed.alpn != "h2") {
    finish_connect(make_error_code(error::no_h2_alpn));
    co_return;
  }
  if (!url.tls) trace("* h2c with prior knowledge");
  tls_context_ = std::move(dialed.tls_context);
  transport_ = std::move(dialed.stream);
  start_session(h2::role::client);
  // finish_connect() runs when the server's SETTINGS arrive (on_remote_settings).
}

void connection_impl::finish_connect(error_code ec) {
  if (!connect_handler_) return;
  auto handler = take_handler(connect_handler_);
  deadline_.cancel();
  if (ec) {
    if (connecting_socket_) {
      error_code ignored;
      connecting_socket_->close(ignored);
    }
    fail(ec);
    if (transport_) transport_->close();
    complete_later(strand_, std::move(handler), ec, connection{});
    return;
  }
  open_ = true;
  complete_later(strand_, std::move(handler), ec,
                 connection(std::make_shared<connection_owner>(shared_from_this())));
}

void connection_impl::open_websocket(websocket_request request, connection::open_handler handler,
                                     std::shared_ptr<connection_owner> owner) {
  auto refuse = [&](error e) {
    complete_later(strand_, std::move(handler), make_error_code(e), websocket{});
  };
  if (goaway_last_stream_ >= 0) return refuse(error::goaway);
  if (failure_ || released_ || !session_) return refuse(error::connection_closed);
  if (!extended_connect_) return refuse(error::no_extended_connect);

  header_list headers = {
      {":method", "CONNECT"},
      {":protocol", "websocket"},
      {":scheme", url_.tls ? "https" : "http"},
      {":path", request.path.empty() ? std::string("/") : request.path},
      {":authority", request.authority.empty() ? url_.authority : request.authority},
      {"sec-websocket-version", "13"},
  };
  if (!request.subprotocols.empty()) {
    std::string joined;
    for (const auto& p : request.subprotocols) joined += (joined.empty() ? "" : ", ") + p;
    headers.emplace_back("sec-websocket-protocol", joined);
  }
  if (opts_.compression) {
    ws::deflate_params wanted;  // checked by connection::connect
    (void)deflate_params_of(opts_.deflate, wanted);
    headers.emplace_back("sec-websocket-extensions", ws::client_offer(wanted));
  }
  for (auto& [name, value] : request.headers) {
    auto lower = lowercase(name);
    if (forbidden_request_header(lower)) {
      trace("! dropping header not allowed on an extended CONNECT: " + lower);
      continue;
    }
    headers.emplace_back(std::move(lower), value);
  }

  auto ws = std::make_shared<websocket_impl>(shared_from_this(), ws::role::client);
  ws->path = headers[3].second;
  ws->offer_subprotocols(request.subprotocols);
  std::int32_t id = session_->submit_request(headers, true, nullptr);
  if (id < 0) {
    trace("! cannot submit CONNECT: " + std::string(h2::session::describe(id)));
    return refuse(h2::session::out_of_stream_ids(id) ? error::too_many_streams
                                                     : error::connection_closed);
  }
  ws->stream_id = id;
  websockets_changed();
  websockets_[id] = ws;
  count_streams();
  ws->await_open(std::move(handler), std::move(owner));
  wake_writer();
}

void connection_impl::send_request(http_request request, connection::request_handler handler) {
  auto refuse = [&](error e) {
    complete_later(strand_, std::move(handler), make_error_code(e), http_response{});
  };
  if (goaway_last_stream_ >= 0) return refuse(error::goaway);
  if (failure_ || released_ || !session_) return refuse(error::connection_closed);
  header_list headers = {
      {":method", request.method},
      {":scheme", url_.tls ? "https" : "http"},
      {":path", request.path.empty() ? std::string("/") : request.path},
      {":authority", url_.authority},
  };
  for (auto& [name, value] : request.headers) {
    auto lower = lowercase(name);
    if (lower.empty() || lower.front() == ':' || lower == "host" || lower == "connection") continue;
    headers.emplace_back(std::move(lower), value);
  }
  if (!request.body.empty())
    headers.emplace_back("content-length", std::to_string(request.body.size()));
  bool with_body = !request.body.empty();
  std::int32_t id = session_->submit_request(headers, with_body, nullptr);
  if (id < 0) return refuse(error::connection_closed);
  auto& r = requests_[id];
  count_streams();
  r.body_out = std::move(request.body);
  store_handler(r.handler, std::move(handler));
  if (opts_.open_timeout.count() > 0) {
    r.timer = std::make_unique<net::timer>(strand_, opts_.open_timeout);
    r.timer->async_wait([self = shared_from_this(), id](error_code ec) {
      if (ec || !self->requests_.count(id)) return;
      self->session_->reset_stream(id, h2::code::cancel);
      self->wake_writer();
      self->finish_request(id, make_error_code(error::timeout));
    });
  }
  wake_writer();
}

void connection_impl::finish_request(std::int32_t stream_id, error_code ec) {
  auto it = requests_.find(stream_id);
  if (it == requests_.end()) return;
  auto handler = take_handler(it->second.handler);
  auto response = std::move(it->second.response);
  if (it->second.timer) it->second.timer->cancel();
  requests_.erase(it);
  count_streams();
  complete_later(strand_, std::move(handler), ec, std::move(response));
  maybe_finish_release();
}

}  // namespace h2ws::detail
