// connection_impl, server role: each request stream's routing and answer (a websocket, a
// plain response, a refusal), and the idle timeout of a connection with nothing in
// progress. (The connection's loops and stream registry are in src/detail/connection_impl.cpp,
// the client role in src/detail/client_streams.cpp.)
#include "detail/completion.hpp"
#include "detail/connection_impl.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include "server/handshake.hpp"
#include "server/server_context.hpp"
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>

#include <boost/asio/post.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

void connection_impl::start_server(std::unique_ptr<net::transport> transport,
                                   std::vector<std::uint8_t> initial,
                                   std::shared_ptr<server_context> ctx) {
  server_ = std::move(ctx);
  transport_ = std::move(transport);
  peer_ = transport_->peer();
  initial_bytes_ = std::move(initial);
  start_session(h2::role::server);
  watch_idle();
}

bool connection_impl::busy() const {
  if (!websockets_.empty() || !requests_.empty()) return true;
  for (const auto& [id, p] : plain_streams_)
    if (p.answered || p.awaiting_body) return true;
  return false;
}

// Server role: a connection with nothing in progress for server_options::idle_timeout gets
// GOAWAY and is closed. A header block that never ends is not progress: that is how a
// slowloris client holds a connection.
void connection_impl::watch_idle() {
  if (!server_ || failure_ || !session_ || draining_) return;
  const auto limit = server_->opts.idle_timeout;
  if (limit.count() <= 0) return;
  if (busy()) {
    if (idle_armed_) {
      idle_armed_ = false;
      deadline_.cancel();
    }
    return;
  }
  if (idle_armed_) return;
  idle_armed_ = true;
  deadline_.expires_after(limit);
  deadline_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->idle_armed_) return;
    self->idle_armed_ = false;
    if (!self->busy()) self->close_idle("! idle for server_options::idle_timeout: GOAWAY");
  });
}

void connection_impl::close_idle(const char* why) {
  if (!session_ || failure_) return;
  trace(why);
  released_ = true;
  open_ = false;
  // GOAWAY; once it is flushed nghttp2 wants no more I/O and the write loop closes.
  session_->terminate(h2::code::no_error);
  wake_writer();
}

void connection_impl::answer_request(std::int32_t stream_id, plain_stream& request) {
  handshake_decision decision;
  try {
    decision =
        decide_handshake(server_->opts, request.headers, peer_, 2, std::move(request.request_body));
  } catch (...) {
    // authorize() threw: the client gets an answer now, not at its own timeout.
    report_contained(*server_, opts_,
                     "the accept step or http_handler threw: ", std::current_exception());
    session_->submit_response(stream_id, {{":status", "500"}}, false);
    return;
  }
  scripted_answer script;
  if (decision.accept_websocket && server_->script) {
    script = server_->script(decision.request);
    if (script.never_answer) return;  // the CONNECT stays unanswered
    decision.status = script.status;
    decision.accept_websocket = script.status >= 200 && script.status < 300 && !script.end_stream;
  }
  if (decision.accept_websocket && !released_) {
    auto ws = std::make_shared<websocket_impl>(shared_from_this(), ws::role::server);
    ws->stream_id = stream_id;
    ws->status = decision.status;
    ws->path = decision.request.path;
    ws->subprotocol = decision.subprotocol;
    const bool raw = static_cast<bool>(server_->script) && script.raw;
    if (raw) ws->make_raw();
    ws->set_headers(request.headers);
    plain_streams_.erase(stream_id);
    header_list response = {{":status", std::to_string(decision.status)}};
    if (!ws->subprotocol.empty()) response.emplace_back("sec-websocket-protocol", ws->subprotocol);
    if (opts_.compression && !raw) {
      ws::deflate_params limits;  // checked by listen()
      (void)deflate_params_of(opts_.deflate, limits);
      if (auto agreed = ws::accept_client_offer(ws->extension_fields(), limits)) {
        ws->enable_deflate(agreed->params);
        ws->extensions = agreed->response;
        response.emplace_back("sec-websocket-extensions", agreed->response);
      }
    }
    response.insert(response.end(), decision.headers.begin(), decision.headers.end());
    response.insert(response.end(), script.headers.begin(), script.headers.end());
    session_->submit_response(stream_id, response, true);
    websockets_changed();
    websockets_[stream_id] = ws;
    ++server_->open_websockets;
    ws->mark_open();
    // Hand the websocket over outside nghttp2's callback.
    asio::post(strand_, [ctx = server_, ws, raw, handler = std::move(decision.handler)] {
      try {
        websocket handle(std::make_shared<websocket_owner>(ws, nullptr));
        if (raw && ctx->raw_handler) {  // the scripted server's (test hook)
          std::weak_ptr<websocket_impl> weak = ws;
          raw_stream_controls controls{
              [weak] {
                if (auto w = weak.lock())
                  asio::post(w->connection().strand(), [w] { w->raw_end_stream(); });
              },
              [weak](std::uint32_t code) {
                if (auto w = weak.lock())
                  asio::post(w->connection().strand(), [w, code] { w->raw_reset(code); });
              }};
          return ctx->raw_handler(std::move(handle), std::move(controls));
        }
        const auto& h = handler ? handler : ctx->handler;
        h(std::move(handle));
      } catch (...) {
        // The handle died with the handler: its websocket is reset, the server carries on.
        report_contained(*ctx, ws->connection().opts(),
                         "websocket handler threw: ", std::current_exception());
      }
    });
    return;
  }
  std::string method;
  for (const auto& [n, v] : request.headers)
    if (n == ":method") method = v;
  if (released_) decision.status = 503;
  if (server_->script && decision.status >= 200 && decision.status < 300) decision.body.clear();
  request.body = method == "HEAD" ? "" : decision.body;
  header_list response = {{":status", std::to_string(decision.status)}};
  bool typed = false;
  for (const auto& field : decision.headers) {
    if (field.first == "content-length") continue;  // ours to say
    typed = typed || field.first == "content-type";
    response.push_back(field);
  }
  if (!decision.body.empty()) {
    if (!typed) response.emplace_back("content-type", "text/plain; charset=utf-8");
    response.emplace_back("content-length", std::to_string(decision.body.size()));
  }
  response.insert(response.end(), script.headers.begin(), script.headers.end());
  session_->submit_response(stream_id, response, !request.body.empty());
}

}  // namespace h2ws::detail
