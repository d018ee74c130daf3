#include "detail/websocket_impl.hpp"

#include "detail/completion.hpp"
#include "detail/owners.hpp"
#include "ws/mask.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/writer.hpp"
#include <h2ws/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <nghttp2/nghttp2.h>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

ws::reader_limits limits_from(const options& o) {
  ws::reader_limits limits;
  limits.max_message_size = o.max_message_size;
  limits.max_frame_size = o.max_frame_size;
  return limits;
}

// Close codes an endpoint may put on the wire (RFC 6455 7.4, IANA registry).
// Messages one pump hands over before it lets other handlers run.
constexpr int max_pumped = 256;
// Capacity of the completed-sends list kept for reuse, at most (16 bytes each).
constexpr std::size_t max_spare_done = 1024;

bool sendable_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

}  // namespace

websocket_impl::websocket_impl(std::shared_ptr<carrier> conn, ws::role role)
    : conn_(std::move(conn)),
      role_(role),
      reader_(role, limits_from(conn_->opts())),
      timer_(conn_->strand()) {}

websocket_impl::~websocket_impl() = default;

void websocket_impl::await_open(connection::open_handler handler,
                                std::shared_ptr<connection_owner> owner) {
  store_handler(open_handler_, std::move(handler));
  owner_for_handle_ = std::move(owner);
  auto timeout = conn_->opts().open_timeout;
  if (timeout.count() == 0) return;
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->state_ != state::opening) return;
    self->conn_->trace("! websocket open timed out, resetting stream " +
                       std::to_string(self->stream_id));
    self->conn_->reset(self->stream_id, NGHTTP2_CANCEL);
    self->conn_->wake_writer();
    self->finish_open(make_error_code(error::timeout));
  });
}

void websocket_impl::mark_open() {
  state_ = state::open;
  open_flag_ = true;
}

void websocket_impl::finish_open(error_code ec) {
  if (!open_handler_) return;
  timer_.cancel();
  if (ec) {
    state_ = state::closed;
    receive_error_ = send_error_ = ec;
  } else {
    mark_open();
  }
  auto handler = take_handler(open_handler_);
  websocket handle(std::make_shared<websocket_owner>(shared_from_this(), owner_for_handle_));
  owner_for_handle_.reset();
  complete_later(conn_->strand(), std::move(handler), ec, std::move(handle));
}

void websocket_impl::on_header(std::string_view name, std::string_view value) {
  // RFC 9113 6.5.2 accounting: name + value + 32 per field.
  header_bytes_ += name.size() + value.size() + 32;
  if (header_bytes_ > conn_->opts().max_header_list_size) {
    headers_too_big_ = true;
    return;
  }
  if (name == ":status") {
    unsigned s = 0;
    std::from_chars(value.data(), value.data() + value.size(), s);
    status = s;
  }
  headers.emplace_back(std::string(name), std::string(value));
}

void websocket_impl::on_headers_complete(bool end_stream) {
  if (state_ != state::opening) {  // trailers
    if (end_stream) on_remote_end_stream();
    return;
  }
  auto fail_open = [&](error c) {
    if (!end_stream) conn_->reset(stream_id, NGHTTP2_CANCEL);
    conn_->wake_writer();
    finish_open(make_error_code(c));
  };
  if (headers_too_big_) {
    conn_->trace("! the answer's headers exceed max_header_list_size");
    return fail_open(error::bad_handshake_response);
  }
  if (status >= 100 && status < 200) {  // interim answer: the final one follows
    headers.clear();
    header_bytes_ = 0;
    status = 0;
    return;
  }
  if (status < 200 || status > 299) return fail_open(error::refused);
  // A 2xx that already ends the stream leaves no tunnel to talk through.
  if (end_stream) return fail_open(error::tunnel_closed);
  if (accept_extensions()) return fail_open(error::bad_extension_negotiation);
  for (const auto& [name, value] : headers) {
    if (name != "sec-websocket-protocol") continue;
    if (std::find(offered_subprotocols.begin(), offered_subprotocols.end(), value) ==
        offered_subprotocols.end())
      return fail_open(error::unexpected_subprotocol);
    subprotocol = value;
  }
  finish_open({});
}

void websocket_impl::on_data(std::span<const std::uint8_t> data) {
  if (state_ != state::open || close_received_ || reader_.error()) {
    // Nothing will read these bytes: give the window back at once.
    conn_->consume(stream_id, data.size());
    return;
  }
  if (raw) {  // scripted server: hand the bytes over exactly as they came
    conn_->consume(stream_id, data.size());
    inbox_.emplace_back(message::kind::binary,
                        std::string(reinterpret_cast<const char*>(data.data()), data.size()));
    deliver();
    conn_->wake_writer();
    return;
  }
  unacknowledged_ += data.size();
  reader_.feed(data);
  while (auto ev = reader_.next()) handle_event(*ev);
  if (auto ec = reader_.error(); ec && !receive_error_)
    violation(ec, reader_.close_code_for_error());
  deliver();
  acknowledge_if_drained();
  conn_->wake_writer();
}

bool websocket_impl::maybe_reply_to_close() {
  if (!close_reply_pending_ || !inbox_.empty() || app_holds_message_ || close_sent_) return false;
  close_reply_pending_ = false;
  timer_.cancel();
  queue_close(close_reply_code_, "");
  end_our_half();
  return true;
}

void websocket_impl::violation(error_code ec, std::uint16_t close_code) {
  // The peer broke RFC 6455 (or 7692): tell it why with the matching close code, end our half.
  conn_->trace("! websocket protocol violation on stream " + std::to_string(stream_id) + ": " +
               ec.message());
  receive_error_ = ec;
  open_flag_ = false;
  if (!close_sent_) queue_close(close_code, "");
  end_our_half();
  start_close_timer();
}

void websocket_impl::enable_deflate(const ws::deflate_params& params) {
  deflater_ = std::make_unique<ws::deflater>(role_, params);
  inflater_ = std::make_unique<ws::inflater>(role_, params);
  reader_.allow_compressed();
}

std::string websocket_impl::extension_fields() const {
  std::string joined;
  for (const auto& [name, value] : headers)
    if (name == "sec-websocket-extensions") joined += (joined.empty() ? "" : ", ") + value;
  return joined;
}

error_code websocket_impl::accept_extensions() {
  const auto answer = extension_fields();
  if (!conn_->opts().compression) {
    // We offered nothing: any extension in the answer breaks RFC 6455 9.1.
    return answer.empty() ? error_code{} : make_error_code(error::bad_extension_negotiation);
  }
  std::optional<ws::deflate_params> agreed;
  if (auto ec = ws::parse_server_answer(answer, ws::deflate_params{}, agreed)) return ec;
  if (agreed) {
    extensions = std::string(answer);
    enable_deflate(*agreed);
  }
  return {};
}

void websocket_impl::handle_event(ws::event& ev) {
  if (receive_error_) return;  // after a violation nothing more is taken in
  if (auto* m = std::get_if<ws::message_event>(&ev)) {
    // After our close the window stays open (so the peer's close frame cannot
    // get stuck behind unread data); what the application does not read is
    // still queued, up to one window's worth, then dropped.
    if (close_sent_ && inbox_bytes_ + m->payload.size() > conn_->opts().stream_window) {
      conn_->trace("! message received after our close dropped: the application is not reading");
      return;
    }
    if (m->compressed) {
      // Inflated in bounded steps: a bomb stops at the limit, not after it.
      std::string inflated;
      auto limit = conn_->opts().max_message_size;
      if (!inflater_) return violation(make_error_code(error::bad_reserved_bits), 1002);
      if (auto ec = inflater_->decompress(
              {reinterpret_cast<const std::uint8_t*>(m->payload.data()), m->payload.size()}, limit,
              inflated))
        return violation(ec, ec == error::message_too_big ? 1009 : 1007);
      if (!m->binary && !ws::is_valid_utf8({reinterpret_cast<const std::uint8_t*>(inflated.data()),
                                            inflated.size()}))
        return violation(make_error_code(error::invalid_utf8), 1007);
      m->payload = std::move(inflated);
    }
    inbox_bytes_ += m->payload.size();
    inbox_.emplace_back(m->binary ? message::kind::binary : message::kind::text,
                        std::move(m->payload));
  } else if (auto* ping = std::get_if<ws::ping_event>(&ev)) {
    if (!close_sent_)
      queue_frame(ws::opcode::pong, {reinterpret_cast<const std::uint8_t*>(ping->payload.data()),
                                     ping->payload.size()});
  } else if (auto* close = std::get_if<ws::close_event>(&ev)) {
    close_received_ = true;
    open_flag_ = false;
    peer_close_code_ = close->code;
    peer_close_reason_ = close->reason;
    conn_->trace("< websocket close stream=" + std::to_string(stream_id) +
                 " code=" + std::to_string(close->code) + " reason=" + close->reason);
    receive_error_ = make_error_code(error::closed);
    timer_.cancel();
    complete_closes({});
    if (close_sent_) {
      end_our_half();
    } else {
      // Echo the peer's code (RFC 6455 5.5.1), but only once the application has
      // taken every message that came before the close: what it sends in answer
      // to them must go out ahead of our close frame (an echo server would lose
      // its last echoes otherwise). Bounded by close_timeout.
      close_reply_pending_ = true;
      close_reply_code_ = close->code;
      if (!maybe_reply_to_close()) {
        auto timeout = conn_->opts().close_timeout;
        if (timeout.count() > 0) {
          timer_.expires_after(timeout);
          timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || !self->close_reply_pending_) return;
            self->conn_->trace("! the application did not read its last messages: closing");
            self->app_holds_message_ = false;
            self->inbox_.clear();
            self->inbox_bytes_ = 0;
            self->maybe_reply_to_close();
            self->conn_->wake_writer();
          });
        }
      }
    }
  } else if (auto* pong = std::get_if<ws::pong_event>(&ev)) {
    // Unsolicited pongs (RFC 6455 5.5.3) and keepalive answers need nothing.
    if (!pings_.empty() && pings_.front().payload == pong->payload) {
      complete_later(conn_->strand(), std::move(pings_.front().handler), error_code{});
      pings_.pop_front();
    }
  }
}

void websocket_impl::queue_frame(ws::opcode op, std::span<const std::uint8_t> payload, bool rsv1,
                                 bool fin) {
  queue_owned_frame(op, std::string(reinterpret_cast<const char*>(payload.data()), payload.size()),
                    rsv1, fin);
}

void websocket_impl::queue_owned_frame(ws::opcode op, std::string&& payload, bool rsv1, bool fin) {
  out_frame frame;
  std::optional<std::uint32_t> key;
  if (role_ == ws::role::client) key = conn_->masks().next();
  frame.header_size = static_cast<std::uint8_t>(
      ws::write_frame_header(frame.header.data(), op, fin, payload.size(), key, rsv1));
  if (key) ws::apply_mask({reinterpret_cast<std::uint8_t*>(payload.data()), payload.size()}, *key);
  frame.payload = std::move(payload);
  push_frame(std::move(frame));
}

void websocket_impl::queue_message(ws::opcode op, std::string&& payload) {
  bool rsv1 = false;
  if (deflater_) {  // permessage-deflate: the whole message, RSV1 on its first frame
    std::vector<std::uint8_t> compressed;
    deflater_->compress({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()},
                        compressed);
    payload.assign(reinterpret_cast<const char*>(compressed.data()), compressed.size());
    rsv1 = true;
  }
  auto limit = conn_->opts().max_send_frame_size;
  if (limit == 0 || payload.size() <= limit) return queue_owned_frame(op, std::move(payload), rsv1);
  // Fragmented: a first frame with the opcode, then continuations, FIN on the last.
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                      payload.size());
  for (std::size_t offset = 0; offset < bytes.size(); offset += limit) {
    auto part = bytes.subspan(offset, std::min(limit, bytes.size() - offset));
    bool last = offset + part.size() == bytes.size();
    queue_frame(offset == 0 ? op : ws::opcode::continuation, part, rsv1 && offset == 0, last);
  }
}

void websocket_impl::push_frame(out_frame&& frame) {
  queued_total_ += frame.size();
  out_bytes_ += frame.size();
  out_.push_back(std::move(frame));
  if (deferred_) {
    deferred_ = false;
    conn_->resume(stream_id);
  }
  conn_->wake_writer();
}

template <class Sink>
void websocket_impl::take_out(std::size_t n, Sink&& sink) {
  n = std::min(n, out_bytes_);
  out_bytes_ -= n;
  written_total_ += n;
  while (n > 0) {
    auto& front = out_.front();
    if (out_front_offset_ < front.header_size) {
      std::size_t k = std::min<std::size_t>(n, front.header_size - out_front_offset_);
      sink(front.header.data() + out_front_offset_, k);
      out_front_offset_ += k;
      n -= k;
    }
    if (n > 0 && out_front_offset_ < front.size()) {
      std::size_t at = out_front_offset_ - front.header_size;
      std::size_t k = std::min(n, front.payload.size() - at);
      sink(reinterpret_cast<const std::uint8_t*>(front.payload.data()) + at, k);
      out_front_offset_ += k;
      n -= k;
    }
    if (out_front_offset_ == front.size()) {
      reader_.recycle(std::move(front.payload));  // storage for a later received message
      out_.pop_front();
      out_front_offset_ = 0;
    }
  }
  // Frames of no bytes (none today) would stay at the front: drop them.
  while (!out_.empty() && out_.front().size() == 0) out_.pop_front();
}

void websocket_impl::queue_close(std::uint16_t code, std::string_view reason) {
  std::vector<std::uint8_t> bytes;
  ws::write_close_frame(bytes, code, reason, std::nullopt);
  // Unmasked: the payload follows the header (2 bytes, a control frame has at most 125).
  std::string payload(reinterpret_cast<const char*>(bytes.data()) + 2, bytes.size() - 2);
  conn_->trace("> websocket close stream=" + std::to_string(stream_id) +
               " code=" + std::to_string(code));
  close_sent_ = true;
  if (!send_error_) send_error_ = make_error_code(error::send_after_close);
  queue_owned_frame(ws::opcode::close, std::move(payload));
}

void websocket_impl::end_our_half() {
  if (end_after_queue_) return;
  end_after_queue_ = true;
  if (deferred_) {
    deferred_ = false;
    conn_->resume(stream_id);
  }
  conn_->wake_writer();
}

void websocket_impl::start_close_timer() {
  auto timeout = conn_->opts().close_timeout;
  if (timeout.count() == 0) return;
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->state_ == state::closed) return;
    self->conn_->trace("! close handshake timed out, resetting stream " +
                       std::to_string(self->stream_id));
    auto timeout = make_error_code(error::timeout);
    if (!self->receive_error_) self->receive_error_ = timeout;
    self->complete_closes(timeout);
    self->conn_->reset(self->stream_id, NGHTTP2_CANCEL);
    self->conn_->wake_writer();
  });
}

ssize_t websocket_impl::read_body(std::uint8_t* buf, std::size_t length,
                                  std::uint32_t* data_flags) {
  std::size_t copied = std::min(length, out_bytes_);
  take_out(copied, [&buf](const std::uint8_t* p, std::size_t k) {
    std::memcpy(buf, p, k);
    buf += k;
  });
  complete_sends();
  if (out_.empty() && end_after_queue_) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    ended_ = true;
    return static_cast<ssize_t>(copied);
  }
  if (copied == 0) {
    deferred_ = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(copied);
}

ssize_t websocket_impl::prepare_data(std::size_t length, std::uint32_t* data_flags) {
  std::size_t n = std::min(length, out_bytes_);
  bool eof = n == out_bytes_ && end_after_queue_;
  if (n == 0 && !eof) {
    deferred_ = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  *data_flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (eof) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    ended_ = true;
  }
  return static_cast<ssize_t>(n);
}

void websocket_impl::take_data(std::vector<std::uint8_t>& out, std::size_t n) {
  const std::size_t before = out.size();
  take_out(n, [&out](const std::uint8_t* p, std::size_t k) { out.insert(out.end(), p, p + k); });
  // prepare_data() promised n bytes: the DATA frame header says so whatever happened since.
  if (out.size() - before < n) out.insert(out.end(), n - (out.size() - before), 0);
  complete_sends();
}

void websocket_impl::complete_sends() {
  if (sends_.empty() || sends_.front().end > written_total_) return;
  // One post for every send this call completed, each handler then run on its own executor.
  // The list's storage is handed back after use (spare_done_), so that steady sending
  // does not grow a new vector per call.
  std::vector<pending_send> done;
  done.swap(spare_done_);
  while (!sends_.empty() && sends_.front().end <= written_total_) {
    done.push_back(std::move(sends_.front()));
    sends_.pop_front();
  }
  asio::post(conn_->strand(), [conn = conn_, weak = weak_from_this(),
                               done = std::move(done)]() mutable {
    for (auto& s : done) {
      if (s.on_strand) {  // known to run inline here: no executor lookup (it allocates)
        std::move(s.handler)(error_code{});
        continue;
      }
      auto handler_ex = asio::get_associated_executor(s.handler, conn->completion_executor());
      run_on<carrier::strand_type>(
          handler_ex, [h = std::move(s.handler)]() mutable { std::move(h)(error_code{}); });
    }
    done.clear();
    auto self = weak.lock();
    if (self && done.capacity() > self->spare_done_.capacity() && done.capacity() <= max_spare_done)
      self->spare_done_.swap(done);
  });
}

void websocket_impl::fail_sends(error_code ec) {
  for (auto& s : sends_) complete_later(conn_->strand(), std::move(s.handler), ec);
  sends_.clear();
  out_.clear();
  out_front_offset_ = 0;
  out_bytes_ = 0;
}

void websocket_impl::complete_closes(error_code ec) {
  for (auto& h : close_handlers_) complete_later(conn_->strand(), std::move(h), ec);
  close_handlers_.clear();
}

void websocket_impl::on_remote_end_stream() {
  if (state_ != state::open) return;
  if (!close_received_ && !receive_error_) {
    // The peer's half ended without a close frame: the websocket ended abnormally.
    peer_close_code_ = 1006;
    receive_error_ = make_error_code(error::closed_without_handshake);
    open_flag_ = false;
  }
  end_our_half();
  deliver();
}

void websocket_impl::on_stream_closed(std::uint32_t error_code_value) {
  if (state_ == state::opening) {
    reset_code_ = error_code_value;
    bool refused_by_goaway = error_code_value == NGHTTP2_REFUSED_STREAM;
    finish_open(make_error_code(refused_by_goaway ? error::goaway : error::stream_reset));
    terminate(receive_error_);
    return;
  }
  error_code ec;
  if (close_received_) {
    // Close frames exchanged: END_STREAM, NO_ERROR or CANCEL are all a normal end.
    ec = make_error_code(error::closed);
  } else if (receive_error_) {
    ec = receive_error_;
  } else if (error_code_value != 0) {
    reset_code_ = error_code_value;
    peer_close_code_ = 1006;
    ec = make_error_code(error::stream_reset);
  } else {
    peer_close_code_ = 1006;
    ec = make_error_code(error::closed_without_handshake);
  }
  if (error_code_value != 0) reset_code_ = error_code_value;
  terminate(ec);
}

void websocket_impl::on_connection_failed(error_code ec) {
  if (state_ == state::opening) {
    finish_open(ec);
    terminate(ec);
    return;
  }
  if (state_ == state::closed) return;
  terminate(close_received_ ? make_error_code(error::closed) : ec);
}

void websocket_impl::terminate(error_code ec) {
  auto self = shared_from_this();  // forget_stream() may drop the registry's reference
  if (state_ == state::closed && sends_.empty() && close_handlers_.empty() && pings_.empty() &&
      !receive_handler_) {
    conn_->forget_stream(stream_id);
    return;
  }
  state_ = state::closed;
  open_flag_ = false;
  timer_.cancel();
  if (!receive_error_) receive_error_ = ec;
  fail_sends(send_error_ && send_error_ != make_error_code(error::send_after_close) ? send_error_
                                                                                    : ec);
  complete_closes(close_received_ ? error_code{} : receive_error_);
  for (auto& p : pings_) complete_later(conn_->strand(), std::move(p.handler), receive_error_);
  pings_.clear();
  deliver();
  // The stream is gone: the connection window still needs its bytes back.
  conn_->consume(stream_id, unacknowledged_);
  unacknowledged_ = 0;
  conn_->forget_stream(stream_id);
}

void websocket_impl::deliver() {
  if (!receive_handler_) return;
  if (!inbox_.empty()) {
    // A pump is handing messages over right now: it takes this one once the
    // handler it is running returns (outside this receive() call).
    if (pumping_) return;
    auto m = std::move(inbox_.front());
    inbox_.pop_front();
    inbox_bytes_ -= m.size();
    auto h = take_handler(receive_handler_);
    const bool on_strand = receive_on_strand_;
    app_holds_message_ = true;  // until it asks for the next one
    // Counted until the handler is handed over, so that the writer waits for what the
    // application sends in answer (carrier::deliveries_in_flight).
    ++conn_->deliveries_in_flight;
    asio::post(conn_->strand(), [self = shared_from_this(), h = std::move(h), on_strand,
                                 m = std::move(m)]() mutable {
      --self->conn_->deliveries_in_flight;
      self->pump(std::move(h), on_strand, std::move(m));
    });
  } else if (receive_error_) {
    auto h = take_handler(receive_handler_);
    complete_later(conn_->strand(), std::move(h), receive_error_, message{});
  }
}

void websocket_impl::pump(websocket::receive_handler h, bool on_strand, message m) {
  // Hands `m` to `h`, then, as long as the handler asked for the next message before
  // returning (a coroutine awaiting receive() in a loop, on this strand) and the inbox
  // has one, hands that over too: many messages per scheduler turn instead of one.
  // Every handler runs after the receive() that started it has returned.
  pumping_ = true;
  struct end_of_pump {  // also when a handler throws: receive() must deliver again
    websocket_impl* self;
    ~end_of_pump() { self->pumping_ = false; }
  } guard{this};
  for (int n = 1;; ++n) {
    // A handler known to run inline here (websocket::receive_impl) is called without
    // asking it for its executor: that question allocates an any_completion_executor.
    if (on_strand) {
      std::move(h)(error_code{}, std::move(m));
    } else if (auto handler_ex = asio::get_associated_executor(h, conn_->completion_executor());
               runs_here<carrier::strand_type>(handler_ex)) {
      std::move(h)(error_code{}, std::move(m));  // what run_on() does, without packaging
    } else {
      asio::dispatch(handler_ex, [h = std::move(h), m = std::move(m)]() mutable {
        std::move(h)(error_code{}, std::move(m));
      });
    }
    if (!receive_handler_ || inbox_.empty() || n == max_pumped) break;
    m = std::move(inbox_.front());
    inbox_.pop_front();
    inbox_bytes_ -= m.size();
    store_handler(h, take_handler(receive_handler_));
    on_strand = receive_on_strand_;
    app_holds_message_ = true;
  }
  pumping_ = false;
  deliver();  // what is left, or the error after the last message
  acknowledge_if_drained();
}

void websocket_impl::acknowledge_if_drained() {
  // Backpressure: bytes of messages the application has not taken yet stay
  // unacknowledged, so the server's window closes while the reader is slow.
  if ((!inbox_.empty() && !close_sent_) || unacknowledged_ == 0 || state_ == state::closed) return;
  conn_->consume(stream_id, unacknowledged_);
  unacknowledged_ = 0;
  conn_->wake_writer();
}

void websocket_impl::send(message&& m, websocket::send_handler&& handler, bool on_strand) {
  if (state_ != state::open || send_error_) {
    auto ec = send_error_ ? send_error_
                          : (receive_error_ ? receive_error_ : make_error_code(error::closed));
    complete_later(conn_->strand(), std::move(handler), ec);
    return;
  }
  auto op = m.is_text() ? ws::opcode::text : ws::opcode::binary;
  if (raw) {
    out_frame frame;  // no header: the bytes exactly as given
    frame.payload = std::move(m).payload();
    push_frame(std::move(frame));
    sends_.push_back({queued_total_, std::move(handler), on_strand});
    return;
  }
  queue_message(op, std::move(m).payload());
  sends_.push_back({queued_total_, std::move(handler), on_strand});
}

void websocket_impl::receive(websocket::receive_handler handler, bool on_strand) {
  if (receive_handler_) {
    complete_later(conn_->strand(), std::move(handler),
                   make_error_code(boost::asio::error::already_started), message{});
    return;
  }
  store_handler(receive_handler_, std::move(handler));
  receive_on_strand_ = on_strand;
  app_holds_message_ = false;
  maybe_reply_to_close();
  deliver();
  acknowledge_if_drained();
}

void websocket_impl::close(std::uint16_t code, std::string reason,
                           websocket::send_handler handler) {
  if (!sendable_close_code(code)) {
    complete_later(conn_->strand(), std::move(handler), make_error_code(error::bad_close_code));
    return;
  }
  if (close_received_) {  // the peer went first: answer now if not yet done
    app_holds_message_ = false;
    inbox_.clear();
    inbox_bytes_ = 0;
    maybe_reply_to_close();
    complete_later(conn_->strand(), std::move(handler), error_code{});
    return;
  }
  if (state_ != state::open) {
    auto ec = receive_error_ ? receive_error_ : make_error_code(error::closed);
    complete_later(conn_->strand(), std::move(handler), ec);
    return;
  }
  close_handlers_.push_back(std::move(handler));
  if (!close_sent_) {
    open_flag_ = false;
    queue_close(code, reason);
    start_close_timer();
    acknowledge_if_drained();  // reopen the window so the peer's close can reach us
  }
}

void websocket_impl::going_away() {
  if (state_ != state::open || close_sent_) return;
  open_flag_ = false;
  queue_close(1001, "server shutting down");
  start_close_timer();
  acknowledge_if_drained();
}

void websocket_impl::raw_end_stream() {
  if (state_ == state::open) end_our_half();
}

void websocket_impl::raw_reset(std::uint32_t error_code_value) {
  if (state_ == state::closed) return;
  conn_->reset(stream_id, error_code_value);
  conn_->wake_writer();
}

void websocket_impl::keepalive() {
  if (state_ != state::open || close_sent_ || !out_.empty()) return;
  queue_frame(ws::opcode::ping, {});
}

void websocket_impl::ping(std::string payload, websocket::send_handler handler) {
  if (payload.size() > 125) {
    complete_later(conn_->strand(), std::move(handler), make_error_code(error::bad_control_frame));
    return;
  }
  if (state_ != state::open || close_sent_) {
    auto ec = receive_error_ ? receive_error_ : make_error_code(error::closed);
    complete_later(conn_->strand(), std::move(handler), ec);
    return;
  }
  queue_frame(ws::opcode::ping,
              {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
  pings_.push_back({std::move(payload), std::move(handler)});
}

void websocket_impl::abandon() {
  if (state_ != state::open || close_sent_) return;  // a close handshake finishes by itself
  // Nobody holds this websocket any more: end the stream rather than leave it open.
  receive_error_ = make_error_code(error::operation_aborted);
  conn_->reset(stream_id, NGHTTP2_CANCEL);
  conn_->wake_writer();
}

}  // namespace h2ws::detail
