#include "http1/h1_connection.hpp"

#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include "http1/request_reader.hpp"
#include "http1/server_handshake.hpp"
#include "http1/upgrade.hpp"
#include "net/proxy_environment.hpp"
#include "net/thread_read_buffer.hpp"
#include "net/write_batch.hpp"
#include "server/handshake.hpp"
#include "server/server_context.hpp"
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>

#include <algorithm>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

h1_connection::h1_connection(asio::any_io_executor ex, options opts)
    : h1_connection(net::make_strand(ex), std::move(opts)) {}

h1_connection::h1_connection(net::strand strand, options opts)
    : strand_(std::move(strand)), opts_(std::move(opts)), deadline_(strand_) {
  fold_log_into_trace(opts_);
}

h1_connection::~h1_connection() = default;

void h1_connection::start_server(std::unique_ptr<net::transport> transport,
                                 std::vector<std::uint8_t> initial,
                                 std::shared_ptr<server_context> ctx) {
  dialed_.stream = std::move(transport);
  server_ = std::move(ctx);
  asio::co_spawn(strand_, serve(std::move(initial)),
                 [self = shared_from_this()](std::exception_ptr e) {
                   if (e) self->close_transport();
                 });
}

asio::awaitable<bool> h1_connection::write_all(const std::string& bytes) {
  error_code ec;
  co_await dialed_.stream->write(asio::buffer(bytes), ec);
  co_return !ec;
}

asio::awaitable<void> h1_connection::serve(std::vector<std::uint8_t> pending) {
  const auto& sopts = server_->opts;
  std::vector<std::uint8_t> buffer(16 * 1024);
  for (;;) {
    // Slowloris: the whole request, from its first byte (or the previous answer), in time.
    arm_deadline(sopts.handshake_timeout);
    http1::request_reader reader(opts_.max_header_list_size, sopts.max_request_body);
    error_code perr;
    std::size_t used = pending.empty() ? 0 : reader.put(pending, perr);
    while (!perr && !reader.done()) {
      error_code ec;
      auto n = co_await dialed_.stream->read_some(asio::buffer(buffer), ec);
      if (ec || closed_) {
        close_transport();
        co_return;
      }
      pending.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      used = reader.put(pending, perr);
    }
    if (perr) {
      trace("! bad HTTP/1.1 request: " + perr.message());
      co_await write_all(
          http1::response(reader.failure_status(), {}, "h2ws: bad request\n", false));
      close_transport();
      co_return;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
    auto request = reader.take();
    auto routed = http1::route_form(request);
    trace("< " + request.method + " " + request.target + " HTTP/1.1" +
          (routed.websocket ? " (Upgrade: websocket)" : ""));
    if (routed.bad_status) {
      header_list extra;
      if (routed.bad_status == 426) extra.emplace_back("sec-websocket-version", "13");
      co_await write_all(http1::response(routed.bad_status, extra, routed.bad_reason, false));
      close_transport();
      co_return;
    }
    handshake_decision decision;
    try {
      decision = decide_handshake(sopts, routed.headers, dialed_.stream->peer(), 1,
                                  std::move(request.body));
    } catch (...) {
      report_contained(*server_, opts_,
                       "the accept step or http_handler threw: ", std::current_exception());
      decision.status = 500;
      decision.body = "h2ws: internal error\n";
    }
    if (shutting_down_) {
      decision.accept_websocket = false;
      decision.status = 503;
      decision.body = "h2ws: shutting down\n";
    }
    if (routed.websocket && decision.accept_websocket) {
      auto ws = std::make_shared<websocket_impl>(shared_from_this(), ws::role::server);
      ws->stream_id = 1;
      ws->status = 101;
      ws->path = decision.request.path;
      ws->subprotocol = decision.subprotocol;
      ws->set_headers(routed.headers);
      if (opts_.compression) {
        ws::deflate_params limits;  // checked by listen()
        (void)deflate_params_of(opts_.deflate, limits);
        if (auto agreed = ws::accept_client_offer(ws->extension_fields(), limits)) {
          ws->enable_deflate(agreed->params);
          ws->extensions = agreed->response;
        }
      }
      if (!co_await write_all(http1::switching_protocols(routed.key, ws->subprotocol,
                                                         ws->extensions, decision.headers))) {
        close_transport();
        co_return;
      }
      deadline_.cancel();
      hand_over(ws, std::move(decision.handler));
      start_websocket_io(std::move(pending));
      co_return;
    }
    const bool keep_alive = request.keep_alive && !routed.websocket && !shutting_down_;
    if (!co_await write_all(http1::response(decision.status, decision.headers, decision.body,
                                            keep_alive, request.method == "HEAD")) ||
        !keep_alive) {
      close_transport();
      co_return;
    }
  }
}

void h1_connection::hand_over(std::shared_ptr<websocket_impl> ws,
                              std::function<void(websocket)> handler) {
  ws->mark_open();
  ws_ = ws;
  ++server_->open_websockets;
  counted_ = true;
  // Outside this coroutine, as on HTTP/2: the handler runs on the strand by itself.
  asio::post(strand_, [self = shared_from_this(), ws, handler = std::move(handler)] {
    try {
      const auto& h = handler ? handler : self->server_->handler;
      h(websocket(std::make_shared<websocket_owner>(ws, nullptr)));
    } catch (...) {
      // The handle died with the handler: its websocket is closed, the server carries on.
      report_contained(*self->server_, self->opts_,
                       "websocket handler threw: ", std::current_exception());
    }
  });
}

void h1_connection::shutdown(bool close_websockets) {
  shutting_down_ = true;
  if (ws_) {
    if (close_websockets) ws_->going_away();
    return;
  }
  close_transport();  // between requests: nothing is lost
}

void h1_connection::start(net::parsed_url url, websocket_request request,
                          connection::open_handler handler) {
  store_handler(open_handler_, std::move(handler));
  // Terminal cancellation ends the attempt as a failure would.
  on_cancellation(open_handler_, *this, strand_,
                  [](h1_connection& self, asio::cancellation_type type) {
                    if (!is_terminal(type) || !self.open_handler_) return;
                    self.trace("! HTTP/1.1 open cancelled");
                    error_code ignored;
                    if (self.connecting_socket_) self.connecting_socket_->close(ignored);
                    self.finish_open(make_error_code(error::operation_aborted), nullptr);
                  });
  asio::co_spawn(strand_, run(std::move(url), std::move(request)),
                 [self = shared_from_this()](std::exception_ptr e) {
                   if (e) self->finish_open(make_error_code(error::connection_lost), nullptr);
                 });
}

void h1_connection::arm_deadline(duration limit) {
  deadline_.cancel();
  if (limit.count() <= 0) return;
  deadline_.expires_after(limit);
  deadline_.async_wait([self = shared_from_this()](error_code ec) {
    // Client: while the open is pending. Server: while a request is being read (the
    // deadline is cancelled once the connection carries a websocket).
    if (ec || (!self->open_handler_ && !self->server_)) return;
    self->timed_out_ = true;
    self->trace("! HTTP/1.1 handshake timed out");
    if (self->connecting_socket_) self->connecting_socket_->close(ec);
    self->close_transport();
  });
}

asio::awaitable<void> h1_connection::run(net::parsed_url url, websocket_request request) {
  auto timeout = [this](error_code ec) {
    return timed_out_ ? make_error_code(error::timeout) : ec;
  };
  arm_deadline(opts_.connect_timeout);
  net::dial_settings settings;
  net::set_tls_options(settings, opts_);
  settings.protocols = net::alpn_offer::http1;
  settings.trace = opts_.trace;
  settings.proxy = net::proxy_for(opts_, url);
  if (auto ec = co_await net::dial(strand_, url, settings, dialed_, &connecting_socket_)) {
    finish_open(timeout(ec), nullptr);
    co_return;
  }
  if (url.tls && !dialed_.alpn.empty() && dialed_.alpn != "http/1.1") {
    finish_open(make_error_code(error::bad_handshake_response), nullptr);
    co_return;
  }
  arm_deadline(opts_.open_timeout);

  auto key = http1::make_key();
  auto target = request.path.empty() ? url.target : request.path;
  auto host = request.authority.empty() ? url.authority : request.authority;
  auto extra = request.headers;
  if (opts_.compression) {
    ws::deflate_params wanted;  // checked by h2ws::connect
    (void)deflate_params_of(opts_.deflate, wanted);
    extra.emplace_back("Sec-WebSocket-Extensions", ws::client_offer(wanted));
  }
  auto head = http1::upgrade_request(target, host, key, request.subprotocols, extra);
  trace("> GET " + target + " HTTP/1.1 (Upgrade: websocket, Host: " + host + ")");
  error_code ec;
  co_await dialed_.stream->write(asio::buffer(head), ec);
  if (ec) {
    finish_open(timeout(make_error_code(error::connection_lost)), nullptr);
    co_return;
  }

  // Read the answer's head; whatever follows it is already websocket data.
  http1::response_reader reader;
  std::vector<std::uint8_t> buffer(16 * 1024), leftover;
  while (!reader.done()) {
    auto n = co_await dialed_.stream->read_some(asio::buffer(buffer), ec);
    if (ec) {
      // A TLS alert here is the server's verdict on our handshake (TLS 1.3 sends it after
      // ours completed: a client certificate missing or refused): reported as it is.
      if (ec.category() == asio::error::get_ssl_category() && !timed_out_) {
        trace("! TLS: the server refused the connection: " + ec.message());
        finish_open(ec, nullptr);
        co_return;
      }
      finish_open(timeout(make_error_code(error::connection_lost)), nullptr);
      co_return;
    }
    error_code perr;
    auto used = reader.put({buffer.data(), n}, perr);
    if (perr) {
      trace("! malformed HTTP/1.1 answer: " + perr.message());
      finish_open(make_error_code(error::bad_handshake_response), nullptr);
      co_return;
    }
    if (reader.done()) leftover.assign(buffer.begin() + used, buffer.begin() + n);
  }
  deadline_.cancel();

  auto ws = std::make_shared<websocket_impl>(shared_from_this(), ws::role::client);
  ws->stream_id = 1;
  ws->status = reader.status();
  ws->set_headers(reader.headers());
  ws->path = target;
  trace("< HTTP/1.1 " + std::to_string(ws->status));
  if (auto cec = http1::check_response(ws->status, reader.headers(), key, request.subprotocols,
                                       ws->subprotocol)) {
    finish_open(cec, ws);
    close_transport();
    co_return;
  }
  if (auto eec = ws->accept_extensions()) {
    finish_open(eec, ws);
    close_transport();
    co_return;
  }
  ws->mark_open();
  ws_ = ws;
  finish_open({}, ws);
  start_websocket_io(std::move(leftover));
}

void h1_connection::finish_open(error_code ec, std::shared_ptr<websocket_impl> ws) {
  if (!open_handler_) return;
  deadline_.cancel();
  auto handler = take_handler(open_handler_);
  websocket handle;
  if (ws) handle = websocket(std::make_shared<websocket_owner>(ws, nullptr));
  if (ec) close_transport();
  complete_later(strand_, std::move(handler), ec, std::move(handle));
}

// The read handler. The websocket and this connection own each other: if the handler is
// destroyed without having run (its io_context went away), it lets go of the websocket.
struct h1_connection::read_handler {
  using allocator_type = handler_allocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  std::shared_ptr<h1_connection> self;
  explicit read_handler(std::shared_ptr<h1_connection> s) : self(std::move(s)) {}
  read_handler(read_handler&&) noexcept = default;
  read_handler& operator=(read_handler&&) = delete;
  ~read_handler() {
    if (self) auto ws = std::move(self->ws_);
  }
  void operator()(error_code ec, std::size_t n) {  // a read into the connection's buffer
    auto s = std::move(self);
    s->on_read(ec, n);
  }
  void operator()(error_code ec) {  // the socket is readable: take what is there
    auto s = std::move(self);
    s->on_readable(ec);
  }
};

// After the handshake, the connection is the websocket's byte stream: a read loop and a
// write loop of plain handlers, as on HTTP/2 (no coroutine frame per read or write).
void h1_connection::start_websocket_io(std::vector<std::uint8_t> leftover) {
  if (!leftover.empty() && ws_) {
    unacknowledged_ += leftover.size();
    auto ws = ws_;
    ws->on_data(leftover);
  }
  wake_writer();
  read_more();
}

void h1_connection::read_more() {
  if (reading_) return;
  if (!ws_ || closed_) return finish_reading();
  // Backpressure: stop reading while the application lags a window behind (consume()
  // reads on).
  if (unacknowledged_ >= opts_.stream_window) {
    read_paused_ = true;
    return;
  }
  read_paused_ = false;
  reading_ = true;
  if (dialed_.stream->reads_on_readiness()) {  // plain TCP: into the thread's buffer
    dialed_.stream->async_wait_readable(read_handler(shared_from_this()));
    return;
  }
  // TLS: a buffer of its own. Not zero-filled: an idle websocket keeps only the pages a
  // read has touched.
  if (!read_buffer_) read_buffer_.reset(new std::uint8_t[io_buffer_size]);
  read_data_ = read_buffer_.get();
  dialed_.stream->async_read_some(asio::buffer(read_buffer_.get(), io_buffer_size),
                                  read_handler(shared_from_this()));
}

void h1_connection::on_readable(error_code ec) {
  if (ec) return on_read(ec, 0);
  net::thread_read_buffer lease;  // held until the bytes are taken in
  const auto bytes = net::read_available(*dialed_.stream, lease, read_buffer_, ec);
  if (net::nothing_to_read(ec)) {
    reading_ = false;
    return read_more();  // wait again
  }
  read_data_ = bytes.data();
  on_read(ec, bytes.size());
}

void h1_connection::on_read(error_code ec, std::size_t n) {
  reading_ = false;
  if (!ws_) return finish_reading();
  if (ec) {
    // The server closing TCP ends the websocket: normally after the close frames,
    // abnormally (1006) before them.
    auto ws = ws_;
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      ws->on_remote_end_stream();
      ws->on_stream_closed(0);
    } else {
      ws->on_connection_failed(make_error_code(error::connection_lost));
    }
    return finish_reading();
  }
  unacknowledged_ += n;
  auto ws = ws_;
  // A large read goes in by slices; what a slice's deliveries answered is written before
  // the next one goes in (net::read_slice_size).
  std::exception_ptr thrown;
  writes_after_read_ = true;
  struct writes_again {  // whatever happens, wake_writer() posts again after the read
    bool& flag;
    ~writes_again() { flag = false; }
  } guard{writes_after_read_};
  for (std::size_t done = 0; done < n;) {
    const std::size_t slice = std::min(n - done, net::read_slice_size);
    reading = true;
    ws->on_data({read_data_ + done, slice});
    reading = false;
    done += slice;
    if (deliver_noted(thrown) && done < n) write_now();
  }
  // What the bytes and the deliveries made (the application's replies) is written now
  // rather than one scheduler turn later.
  writes_after_read_ = false;
  write_more();
  read_more();
  if (thrown) std::rethrow_exception(thrown);
}

void h1_connection::write_now() {
  writes_after_read_ = false;
  write_more();
  writes_after_read_ = true;
}

// The read side is over: so is the connection, and the websocket lets go of it.
void h1_connection::finish_reading() {
  read_paused_ = false;
  close_transport();
  ws_.reset();
}

void h1_connection::wake_writer() {
  // Posted, never run here: this may be inside the session's callbacks, and many wakes in
  // one turn make one write.
  if (writing_ || write_posted_ || writer_done_ || !ws_ || writes_after_read_) return;
  write_posted_ = true;
  post_recycled(strand_, [self = shared_from_this()] {
    self->write_posted_ = false;
    self->write_more();
  });
}

void h1_connection::write_more() {
  // A batch the socket took whole at once is followed by the next one (what on_written()
  // would do a scheduler turn later), a few times at most per call.
  constexpr int max_rounds = 4;
  for (int round = 1;; ++round) {
    if (writing_ || writer_done_ || !ws_ || closed_) return;
    auto ws = ws_;
    const auto out = ws->poll_output(io_buffer_size);
    if (out.waiting) return;  // wake_writer() brings us back
    if (out.ready == 0) return end_writing();
    // Storage from the thread's pool when this connection holds none (see on_written()).
    net::prepare_write_batch(write_batch_);
    ws->take_output(write_batch_, out.ready);
    const std::size_t done = net::write_at_once(*dialed_.stream, write_batch_);
    if (done == write_batch_.size()) {
      net::release_write_batch(write_batch_);
      run_completed_sends();  // the sends those bytes finished
      if (out.ends) return end_writing();
      if (round == max_rounds) return wake_writer();  // other connections first
      continue;
    }
    writing_ = true;
    dialed_.stream->async_write(
        asio::buffer(write_batch_.data() + done, write_batch_.size() - done),
        asio::bind_allocator(handler_allocator<void>{},
                             [self = shared_from_this(), ends = out.ends](
                                 error_code ec, std::size_t) { self->on_written(ec, ends); }));
    run_completed_sends();  // the sends those bytes finished: the write is under way
    return;
  }
}

void h1_connection::on_written(error_code ec, bool ends) {
  writing_ = false;
  net::release_write_batch(write_batch_);  // an idle connection keeps no burst's buffer
  if (ec) {
    writer_done_ = true;
    return;
  }
  if (ends) return end_writing();
  write_more();
}

// End of our half. A client waits for the server to close TCP (RFC 6455 7.1.1; the close
// timer bounds the wait); a server closes its sending side.
void h1_connection::end_writing() {
  writer_done_ = true;
  if (server_ && !closed_) dialed_.stream->shutdown_send();
}

void h1_connection::consume(std::int32_t, std::size_t n) {
  unacknowledged_ -= std::min(n, unacknowledged_);
  if (read_paused_ && unacknowledged_ < opts_.stream_window) read_more();
}

void h1_connection::reset(std::int32_t, std::uint32_t code) {
  // No stream to reset: the connection is the stream.
  close_transport();
  if (auto ws = ws_)
    asio::post(strand_, [self = shared_from_this(), ws, code] { ws->on_stream_closed(code); });
}

void h1_connection::forget_stream(std::int32_t) {
  if (counted_) {
    counted_ = false;
    --server_->open_websockets;
  }
  ws_.reset();  // the websocket is done; nothing else runs on this connection
  close_transport();
}

void h1_connection::close_transport() {
  if (closed_) return;
  closed_ = true;
  if (dialed_.stream) dialed_.stream->close();
  // A paused read loop has no operation to fail: end it here.
  if (read_paused_)
    asio::post(strand_, [self = shared_from_this()] {
      if (self->read_paused_) self->finish_reading();
    });
}

}  // namespace h2ws::detail
