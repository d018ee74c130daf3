// connection_impl: the HTTP/2 connection itself, either role: the session, the read and
// write loops, failure, release and shutdown, keepalive, and the stream registry that routes
// the session's events to websockets, requests and plain streams.
#include "detail/connection_impl.hpp"

#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include "net/dial.hpp"
#include "net/thread_read_buffer.hpp"
#include "net/tls.hpp"
#include "net/write_batch.hpp"
#include "server/handshake.hpp"
#include "server/server_context.hpp"
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>
#include <h2ws/handler_allocator.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t read_buffer_size = net::thread_read_buffer::size;
// Write at most this much per write call: enough to coalesce many frames,
// small enough that reads are not starved (shrpx uses 32 KiB; bulk needs more).
constexpr std::size_t write_batch_size = 128 * 1024;
// While received messages are on their way to the application, the writer waits for
// its answers until it has this much to write: not all of them, so that the peer gets
// to work on the first ones while this side makes the rest (both sides busy at once).
constexpr std::size_t coalesce_size = 16 * 1024;
// How many scheduler turns the writer waits at most for the application to answer
// messages delivered to it before it writes what it has.
constexpr int max_write_yields = 1024;

// The data source of a plain request or answer: the next slice of `body`, EOF at its end.
h2::body_chunk copy_body(const std::string& body, std::size_t& sent, std::uint8_t* buf,
                         std::size_t length) {
  h2::body_chunk chunk;
  chunk.length = std::min(length, body.size() - sent);
  std::memcpy(buf, body.data() + sent, chunk.length);
  sent += chunk.length;
  chunk.eof = sent == body.size();
  return chunk;
}

}  // namespace

connection_owner::~connection_owner() {
  asio::post(impl->strand(), [impl = impl] { impl->release(); });
}

websocket_owner::~websocket_owner() {
  asio::post(impl->connection().strand(), [impl = impl] { impl->abandon(); });
}

connection_impl::connection_impl(asio::any_io_executor ex, h2::role role, options opts)
    : connection_impl(net::make_strand(ex), role, std::move(opts)) {}

connection_impl::connection_impl(net::strand strand, h2::role role, options opts)
    : connection_impl(std::move(strand), role, prepared_options(std::move(opts))) {}

connection_impl::connection_impl(net::strand strand, h2::role role,
                                 std::shared_ptr<const options> opts)
    : strand_(std::move(strand)),
      role_(role),
      shared_opts_(std::move(opts)),
      opts_(*shared_opts_),
      deadline_(strand_),
      ping_timer_(strand_),
      ping_deadline_(strand_) {}

std::shared_ptr<const options> connection_impl::prepared_options(options opts) {
  fold_log_into_trace(opts);
  return std::make_shared<const options>(std::move(opts));
}

connection_impl::~connection_impl() = default;

void connection_impl::start_session(h2::role role) {
  h2::session_settings settings;
  settings.stream_window = opts_.stream_window;
  settings.connection_window = opts_.connection_window;
  settings.max_header_list_size = opts_.max_header_list_size;
  if (server_) {
    settings.max_concurrent_streams = server_->opts.max_concurrent_streams;
    settings.enable_connect_protocol = server_->opts.enable_connect_protocol;
  }
  settings.trace_frames = traces_frames(opts_);
  session_ = std::make_unique<h2::session>(role, events(), settings, opts_.trace);
  // A quarter of the windows in force before our SETTINGS are acknowledged (65,535) or
  // after, whichever is smaller; a stream's quantum at most 16 KiB.
  constexpr std::size_t default_window = 65535;
  window_quantum = std::min<std::size_t>(
      {16 * 1024, std::min<std::size_t>(settings.stream_window, default_window) / 4});
  held_window_limit = std::max<std::size_t>(settings.connection_window, default_window) / 4;
  if (role == h2::role::server) open_ = true;
  start_loops();
}

void connection_impl::start_loops() {
  if (!initial_bytes_.empty()) {
    // What the listener read to tell HTTP/2 from HTTP/1.1: the client's preface.
    const auto initial = std::move(initial_bytes_);
    if (auto perr = session_->receive(initial)) {
      fail(perr);
      wake_writer();
      return;
    }
  }
  start_read();
  wake_writer();  // our preface and SETTINGS
  schedule_ping();
}

// The read handler. Websockets and their connection own each other while a stream is
// open: if the handler is destroyed without having run (its io_context went away), it
// breaks that cycle, or both would outlive everything.
struct connection_impl::read_handler {
  // Read and write operations take their memory from our own free list, which leaves
  // Asio's per-thread cache (two blocks) to the strand's own operations: none of the
  // three then allocates in steady state.
  using allocator_type = handler_allocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  std::shared_ptr<connection_impl> self;
  read_handler(std::shared_ptr<connection_impl> s) : self(std::move(s)) {}
  read_handler(read_handler&&) noexcept = default;
  read_handler& operator=(read_handler&&) = delete;
  ~read_handler() {
    if (!self) return;
    self->websockets_changed();
    auto websockets = std::move(self->websockets_);
  }
  void operator()(error_code ec, std::size_t n) {  // a read into the connection's buffer
    auto s = std::move(self);
    s->on_read(ec, n);
  }
  void operator()(error_code ec) {  // the socket is readable: read_now()
    auto s = std::move(self);
    s->on_readable(ec);
  }
};

void connection_impl::start_read() {
  if (transport_->reads_on_readiness()) {
    transport_->async_wait_readable(read_handler(shared_from_this()));
    return;
  }
  // TLS (OpenSSL reads ahead into its own buffers), or bytes read before: a buffer of our own.
  if (!read_buffer_) read_buffer_.reset(new std::uint8_t[read_buffer_size]);
  read_data_ = read_buffer_.get();
  transport_->async_read_some(asio::buffer(read_buffer_.get(), read_buffer_size),
                              read_handler(shared_from_this()));
}

void connection_impl::on_readable(error_code ec) {
  if (ec) return on_read(ec, 0);
  net::thread_read_buffer lease;  // held until the bytes are taken in
  const auto bytes = net::read_available(*transport_, lease, read_buffer_, ec);
  if (net::nothing_to_read(ec)) return start_read();  // wait again
  read_data_ = bytes.data();
  on_read(ec, bytes.size());
}

void connection_impl::on_read(error_code ec, std::size_t n) {
  if (ec) {
    if (!failure_) trace("! connection lost: " + ec.message());
    fail(make_error_code(error::connection_lost));
    transport_->close();
    wake_writer();
    return;
  }
  writes_after_read_ = true;
  // A large read goes in by slices; what a slice's deliveries answered is written before
  // the next one goes in (net::read_slice_size).
  error_code perr;
  std::exception_ptr thrown;
  for (std::size_t done = 0; done < n && !perr;) {
    const std::size_t slice = std::min(n - done, net::read_slice_size);
    reading = true;
    perr = session_->receive({read_data_ + done, slice});
    reading = false;
    done += slice;
    if (!deliver_noted(thrown)) continue;
    if (done < n && !perr && !writing_ && !writer_done_) {
      writes_after_read_ = false;
      write_some();
      writes_after_read_ = true;
    }
  }
  writes_after_read_ = false;
  // After a receive handler threw, the writer runs in a turn of its own: a send handler
  // that throws too then leaves a later run(), not in place of this exception.
  after_read(perr, !thrown);
  if (thrown) std::rethrow_exception(thrown);  // out of run(), the connection carrying on
}

void connection_impl::after_read(const error_code& perr, bool write_inline) {
  if (perr) {
    // nghttp2 queued a GOAWAY; the writer flushes it, then closes.
    fail(perr);
    wake_writer();
    return;
  }
  // What the bytes and the deliveries just made (WINDOW_UPDATEs, answers, the
  // application's replies) is written now rather than one scheduler turn later.
  if (write_inline && !writing_ && !writer_done_)
    write_some();
  else
    wake_writer();
  if (failure_) return;
  if (opts_.max_write_buffer && writing_ && buffered_output() > opts_.max_write_buffer) {
    // The peer sends faster than it reads its socket (a write is stuck in TCP and more
    // waits behind it): stop taking more from it until the writer caught up
    // (on_written), so what it can make us hold stays bounded. Data held back by the
    // peer's flow-control window does not count: it must stay free to send WINDOW_UPDATE.
    trace("! write side backed up: reading paused");
    read_paused_ = true;
    return;
  }
  start_read();
}

std::size_t connection_impl::buffered_output() const {
  std::size_t total = batch_.size();
  for (const auto& [id, ws] : websockets_) total += ws->output_size();
  return total;
}

void connection_impl::wake_writer() {
  // Posted, never run here: this may be inside an nghttp2 callback, and many wakes in
  // one turn make one write. Inside the read handler nothing is posted: it writes once
  // the bytes read and the deliveries they made are through (on_read()).
  if (writing_ || write_posted_ || writer_done_ || !session_ || writes_after_read_) return;
  write_posted_ = true;
  post_recycled(strand_, [self = shared_from_this()] {
    self->write_posted_ = false;
    self->write_some();
  });
}

void connection_impl::write_some() {
  if (writing_ || writer_done_) return;
  // A full batch the socket took whole at once is followed by another look for output
  // (what on_written() would do a scheduler turn later), a few times at most per call.
  constexpr int max_rounds = 4;
  for (int round = 1;; ++round) {
    // Not reserved up front (write_batch_size would be a mapping of its own, one more
    // resident page per idle connection): it grows to its working size on first use, or
    // takes the storage a burst left in the thread's pool.
    net::prepare_write_batch(batch_);
    // The sends whose bytes are taken complete once the write is under way (below).
    // nghttp2 hands over all it has unless the batch fills up (`full`): only then is there
    // more to look for once the batch is written (asking for output nghttp2 does not have
    // costs a few hundred instructions).
    while (batch_.size() < write_batch_size) {
      auto chunk = session_->next_output();
      if (chunk.empty()) break;  // all of it, or on_send_data() left a frame for later
      batch_.append(chunk.data(), chunk.size());
    }
    const bool full = batch_.size() >= write_batch_size;
    if (!batch_.empty() && deliveries_in_flight > 0 && batch_.size() < coalesce_size &&
        write_yields_ < max_write_yields && !failure_) {
      // Received messages are on their way to the application: let it answer them
      // first, so that its sends join this write instead of one write each. Sends
      // taken so far are complete already (next_output() handed them to nghttp2).
      ++write_yields_;
      wake_writer();
    } else if (write_yields_ = 0; !batch_.empty()) {
      if (write_batch()) {
        if (full && round < max_rounds) continue;
        if (full)
          wake_writer();  // more is ready: in a later turn, other connections first
        else if (failure_ || !session_->wants_io())
          finish_writing();
      }
    } else if (failure_ || !session_->wants_io()) {
      finish_writing();
    }
    // Nothing written: a large spare taken above goes back (an idle connection keeps none).
    if (batch_.empty()) net::release_write_batch(batch_);
    // Otherwise nothing to write: the next wake_writer() posts write_some() again.
    run_completed_sends();
    return;
  }
}

bool connection_impl::write_batch() {
  const std::size_t done = net::write_at_once(*transport_, batch_);
  if (done == batch_.size()) {
    net::release_write_batch(batch_);
    return true;
  }
  writing_ = true;
  transport_->async_write(
      asio::buffer(batch_.data() + done, batch_.size() - done),
      asio::bind_allocator(
          handler_allocator<void>{},
          [self = shared_from_this()](error_code ec, std::size_t) { self->on_written(ec); }));
  return false;
}

void connection_impl::on_written(error_code ec) {
  writing_ = false;
  net::release_write_batch(batch_);
  if (ec) {
    fail(make_error_code(error::connection_lost));
    transport_->close();
    writer_done_ = true;
    return;
  }
  write_some();
  if (read_paused_ && !failure_ && (!writing_ || buffered_output() <= opts_.max_write_buffer / 2)) {
    read_paused_ = false;
    start_read();
  }
}

void connection_impl::finish_writing() {
  // Everything (GOAWAY included) is flushed: the connection is over.
  writer_done_ = true;
  open_ = false;
  // nghttp2 stopped on its own, without our release or the peer's GOAWAY, only when the
  // peer broke HTTP/2 (for one, an HTTP/1.1 server answering our h2c preface).
  bool peer_broke_http2 = !released_ && goaway_last_stream_ < 0;
  if (!failure_)
    fail(
        make_error_code(peer_broke_http2 ? error::http2_protocol_error : error::connection_closed));
  transport_->close();
}

void connection_impl::fail(error_code ec) {
  if (!failure_) failure_ = ec;
  open_ = false;
  ping_timer_.cancel();
  ping_deadline_.cancel();
  if (server_) deadline_.cancel();  // the idle or drain deadline: nothing left to bound
  websockets_changed();
  auto websockets = std::move(websockets_);
  websockets_.clear();
  if (server_) server_->open_websockets -= websockets.size();
  count_streams();
  for (auto& [id, ws] : websockets) ws->on_connection_failed(failure_);
  plain_streams_.clear();
  std::vector<std::int32_t> pending;
  for (auto& [id, r] : requests_) pending.push_back(id);
  for (auto id : pending) finish_request(id, failure_);
  finish_connect(failure_);
}

void connection_impl::release() {
  released_ = true;
  maybe_finish_release();
}

void connection_impl::shutdown(bool close_websockets) {
  released_ = true;
  if (!session_ || failure_) return;
  session_->goaway(h2::code::no_error);
  open_ = false;
  if (close_websockets)
    for (auto& [id, ws] : websockets_) ws->going_away();
  if (server_ && !draining_) {
    // Bounded: streams get twice the close timeout to finish (a websocket's close
    // handshake is bounded by one), then the connection closes with whatever is left.
    draining_ = true;
    idle_armed_ = false;
    const auto limit = opts_.close_timeout.count() > 0 ? 2 * opts_.close_timeout
                                                       : duration(std::chrono::seconds(10));
    deadline_.expires_after(limit);
    // weak: a pending deadline does not keep a dead connection (or its count) alive.
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec)
        self->close_idle("! drain deadline passed: closing the connection");
    });
  }
  maybe_finish_release();
  wake_writer();
}

void connection_impl::abort() {
  if (transport_) transport_->close();
}

void connection_impl::maybe_finish_release() {
  watch_idle();
  // An unfinished header block does not hold a stopping server (busy()).
  if (!released_ || busy() || failure_ || !session_) return;
  // GOAWAY; once flushed nghttp2 wants no more I/O and the write loop closes.
  session_->terminate(h2::code::no_error);
  open_ = false;
  wake_writer();
}

websocket_impl* connection_impl::find_websocket(std::int32_t stream_id) {
  if (last_websocket_ && last_websocket_id_ == stream_id) return last_websocket_;
  auto it = websockets_.find(stream_id);
  if (it == websockets_.end()) return nullptr;
  last_websocket_id_ = stream_id;
  return last_websocket_ = it->second.get();
}

void connection_impl::forget_stream(std::int32_t stream_id) {
  websockets_changed();
  if (websockets_.erase(stream_id) && server_) --server_->open_websockets;
  count_streams();
  maybe_finish_release();
}

void connection_impl::schedule_ping() {
  if (opts_.ping_interval.count() <= 0) return;
  ping_timer_.expires_after(opts_.ping_interval);
  ping_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->failure_) return;
    if (!self->ping_outstanding_) {
      self->ping_outstanding_ = true;
      self->session_->ping();
      self->arm_ping_deadline();
    }
    // A websocket ping too: proxies drop streams that carry no data.
    for (auto& [id, ws] : self->websockets_) ws->keepalive();
    self->wake_writer();
    self->schedule_ping();
  });
}

void connection_impl::arm_ping_deadline() {
  if (opts_.ping_timeout.count() <= 0) return;
  ping_deadline_.expires_after(opts_.ping_timeout);
  ping_deadline_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->failure_ || !self->ping_outstanding_) return;
    self->trace("! keepalive PING unanswered within ping_timeout: the connection is dead");
    self->fail(make_error_code(error::timeout));
    self->transport_->close();
  });
}

void connection_impl::give_back_held() {
  for (auto& [id, ws] : websockets_) ws->give_back_held();
}

void connection_impl::count_streams() { streams_in_use_ = websockets_.size() + requests_.size(); }

void connection_impl::on_remote_settings() {
  // May change with every SETTINGS; a pool reads it to spread streams over connections.
  max_concurrent_streams_ = session_->remote_max_concurrent_streams();
  if (remote_settings_) return;
  remote_settings_ = true;
  extended_connect_ = session_->remote_enables_connect_protocol();
  if (role_ == h2::role::client) {
    trace(extended_connect_ ? "* server supports RFC 8441 (ENABLE_CONNECT_PROTOCOL=1)"
                            : "* server does not support RFC 8441");
    finish_connect({});
  }
}

int connection_impl::on_begin_headers(std::int32_t stream_id) {
  if (role_ == h2::role::server && !websockets_.count(stream_id))
    plain_streams_.try_emplace(stream_id);
  return 0;
}

int connection_impl::on_header(std::int32_t stream_id, std::string_view name,
                               std::string_view value) {
  if (auto it = websockets_.find(stream_id); it != websockets_.end()) {
    it->second->on_header(name, value);
  } else if (auto p = plain_streams_.find(stream_id); p != plain_streams_.end()) {
    // The decoded size, as RFC 9113 6.5.2 counts it, checked before anything is kept:
    // HPACK lets a 17 KiB header block decode to tens of MiB (one big field in the
    // dynamic table, referenced over and over). Past our MAX_HEADER_LIST_SIZE the stream
    // is reset and nghttp2 stops handing us its fields.
    p->second.header_bytes += name.size() + value.size() + 32;
    if (p->second.header_bytes > opts_.max_header_list_size) {
      trace("! request headers of stream " + std::to_string(stream_id) +
            " exceed max_header_list_size: reset");
      plain_streams_.erase(p);
      return h2::verdict::reset_stream;
    }
    p->second.headers.emplace_back(std::string(name), std::string(value));
  } else if (auto r = requests_.find(stream_id); r != requests_.end()) {
    auto& response = r->second.response;
    r->second.header_bytes += name.size() + value.size() + 32;
    if (r->second.header_bytes > opts_.max_header_list_size) {
      trace("! response headers exceed max_header_list_size");
      finish_request(stream_id, make_error_code(error::bad_handshake_response));
      return h2::verdict::reset_stream;
    }
    if (name == ":status") {
      response.headers.clear();  // a final answer replaces any 1xx one
      response.status = static_cast<unsigned>(std::atoi(std::string(value).c_str()));
    }
    response.headers.emplace_back(std::string(name), std::string(value));
  }
  return 0;
}

int connection_impl::on_headers_complete(std::int32_t stream_id, bool end_stream) {
  if (auto it = websockets_.find(stream_id); it != websockets_.end()) {
    auto ws = it->second;
    ws->on_headers_complete(end_stream);
    return 0;
  }
  auto p = plain_streams_.find(stream_id);
  if (role_ != h2::role::server || p == plain_streams_.end()) return 0;
  if (p->second.answered || p->second.awaiting_body) return 0;  // trailers
  bool connect = false;
  for (const auto& [n, v] : p->second.headers)
    if (n == ":method") connect = v == "CONNECT";
  if (!end_stream && !connect) {
    p->second.awaiting_body = true;  // answered at END_STREAM, with the body
    watch_idle();
    return 0;
  }
  p->second.answered = true;
  answer_request(stream_id, p->second);
  watch_idle();
  return 0;
}

int connection_impl::on_data(std::int32_t stream_id, std::span<const std::uint8_t> data) {
  if (auto* ws = find_websocket(stream_id)) {
    ws->on_data(data);  // forgetting the stream in there keeps it alive until it returns
    return 0;
  }
  session_->consume(stream_id, data.size());  // plain bodies are read at once
  if (auto r = requests_.find(stream_id); r != requests_.end()) {
    auto& body = r->second.response.body;
    if (opts_.max_message_size && body.size() + data.size() > opts_.max_message_size) {
      session_->reset_stream(stream_id, h2::code::cancel);
      finish_request(stream_id, make_error_code(error::message_too_big));
      return 0;
    }
    body.append(reinterpret_cast<const char*>(data.data()), data.size());
  } else if (auto p = plain_streams_.find(stream_id);
             p != plain_streams_.end() && p->second.awaiting_body && server_) {
    auto& body = p->second.request_body;
    if (body.size() + data.size() > server_->opts.max_request_body) {
      trace("! request body of stream " + std::to_string(stream_id) + " too large: 413");
      p->second.awaiting_body = false;
      p->second.answered = true;
      session_->submit_response(stream_id, {{":status", "413"}}, false);
      return 0;
    }
    body.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  return 0;
}

int connection_impl::on_remote_end_stream(std::int32_t stream_id) {
  if (auto it = websockets_.find(stream_id); it != websockets_.end()) {
    auto ws = it->second;
    ws->on_remote_end_stream();
  } else if (auto p = plain_streams_.find(stream_id);
             p != plain_streams_.end() && p->second.awaiting_body) {
    p->second.awaiting_body = false;
    p->second.answered = true;
    answer_request(stream_id, p->second);
  }
  return 0;
}

int connection_impl::on_stream_closed(std::int32_t stream_id, std::uint32_t error_code_value) {
  if (auto it = websockets_.find(stream_id); it != websockets_.end()) {
    auto ws = it->second;
    ws->on_stream_closed(error_code_value);
  }
  plain_streams_.erase(stream_id);
  if (requests_.count(stream_id)) {
    bool answered = requests_[stream_id].response.status >= 200;
    finish_request(stream_id, error_code_value != 0 || !answered
                                  ? make_error_code(error::stream_reset)
                                  : error_code{});
  }
  maybe_finish_release();
  return 0;
}

void connection_impl::on_goaway(std::int32_t last_stream_id, std::uint32_t error_code_value) {
  goaway_last_stream_ = last_stream_id;
  open_ = false;
  trace("* GOAWAY received: last_stream=" + std::to_string(last_stream_id) +
        " error=" + std::string(h2::code_name(error_code_value)));
}

void connection_impl::on_ping_ack() {
  ping_outstanding_ = false;
  ping_deadline_.cancel();
}

h2::body_chunk connection_impl::read_body(std::int32_t stream_id, std::uint8_t* buf,
                                          std::size_t length) {
  if (auto* ws = find_websocket(stream_id)) {
    // No copy here: on_send_data() appends the bytes straight to the write batch.
    auto out = ws->poll_output(length);
    h2::body_chunk chunk;
    if (out.waiting) {
      chunk.deferred = true;
      return chunk;
    }
    chunk.in_place = true;
    chunk.eof = out.ends;
    chunk.length = out.ready;
    // Everything queued goes in this frame: the data source ends with it (the stream
    // does not), and the next output submits a new one (resume()). Not when the batch
    // is full: on_send_data() then leaves the frame for the next write, and the source
    // must stay until it is out.
    if (out.drained && batch_.size() < write_batch_size) chunk.eof = chunk.pause = true;
    return chunk;
  }
  if (auto r = requests_.find(stream_id); r != requests_.end())
    return copy_body(r->second.body_out, r->second.sent, buf, length);
  auto p = plain_streams_.find(stream_id);
  if (p == plain_streams_.end()) {
    h2::body_chunk chunk;
    chunk.eof = true;
    return chunk;
  }
  return copy_body(p->second.body, p->second.sent, buf, length);
}

int connection_impl::on_send_data(std::int32_t stream_id,
                                  std::span<const std::uint8_t> frame_header, std::size_t length,
                                  std::size_t padding) {
  // read_body() promised `length` bytes: the DATA frame header says so. Should they no
  // longer be there, the framing would break: fail the session instead of inventing bytes.
  auto* ws = find_websocket(stream_id);
  if (!ws || ws->output_size() < length) {
    trace("! DATA promised to the HTTP/2 session is gone: ending the connection");
    return h2::verdict::fail_connection;
  }
  // The batch is full: the frame waits for the next write. nghttp2 would otherwise hand
  // over, within one next_output() call, DATA frames for all the output the flow-control
  // window allows, and a burst (a large message, a wide window) would be copied whole
  // into one buffer.
  if (batch_.size() >= write_batch_size) return h2::verdict::later;
  batch_.append(frame_header.data(), frame_header.size());
  if (padding > 0) batch_.push_back(static_cast<std::uint8_t>(padding - 1));
  ws->take_output(batch_, length);
  if (padding > 1) batch_.append_zeros(padding - 1);
  return 0;
}

}  // namespace h2ws::detail
