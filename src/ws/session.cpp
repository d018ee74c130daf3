#include "ws/session.hpp"

#include "ws/close.hpp"
#include "ws/mask.hpp"
#include "ws/mask_generator.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/writer.hpp"
#include <h2ws/error.hpp>

#include <algorithm>
#include <cstring>
#include <string>

namespace h2ws::ws {

using boost::system::error_code;

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

session::session(const session_config& config, mask_generator* masks)
    : session(std::make_shared<const session_config>(config), masks) {}

session::session(std::shared_ptr<const session_config> config, mask_generator* masks)
    : config_(std::move(config)),
      masks_(masks),
      raw_(config_->raw),
      reader_(config_->local_role, config_->limits) {}

session::~session() = default;

void session::enable_deflate(const deflate_params& params, int mem_level, int level) {
  deflater_ = std::make_unique<deflater>(config_->local_role, params, mem_level, level);
  inflater_ = std::make_unique<inflater>(config_->local_role, params);
  reader_.allow_compressed();
}

void session::note(std::string_view line) const {
  if (config_->trace && *config_->trace) (*config_->trace)(line);
}

// --- Input ---

void session::on_bytes(std::span<const std::uint8_t> bytes) {
  // Nothing will read these bytes (the peer closed, broke the protocol, or the stream
  // is over): give the window back at once.
  if (state_ == close_state::close_received || state_ == close_state::closed ||
      state_ == close_state::finished || reader_.error()) {
    act().consume += bytes.size();
    return;
  }
  if (raw_) {  // test hook: the bytes exactly as they came, one message per read
    act().consume += bytes.size();
    inbox_.emplace_back(message::kind::binary,
                        std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    act().deliver = true;
    return;
  }
  unacknowledged_ += bytes.size();
  reader_.feed(bytes, *this);
  if (auto ec = reader_.error(); ec && !receive_error_)
    violation(ec, reader_.close_code_for_error());
  if (!inbox_.empty() || receive_error_) act().deliver = true;
  acknowledge_if_drained();
}

namespace {

const char* opcode_name(opcode op) {
  switch (op) {
    case opcode::continuation:
      return "continuation";
    case opcode::text:
      return "text";
    case opcode::binary:
      return "binary";
    case opcode::close:
      return "close";
    case opcode::ping:
      return "ping";
    case opcode::pong:
      return "pong";
  }
  return "reserved";
}

}  // namespace

// After a violation nothing more is taken in. With -v, a note per frame that came in, with
// sizes (close frames are noted where handled).

void session::on_ping(std::string& payload) {
  if (receive_error_) return;
  if (tracing()) note("< websocket ping " + std::to_string(payload.size()) + " bytes");
  if (state_ == close_state::open) queue_frame(opcode::pong, std::move(payload));
}

void session::on_pong(std::string& payload) {
  if (receive_error_) return;
  if (tracing()) note("< websocket pong " + std::to_string(payload.size()) + " bytes");
  // Unsolicited pongs (RFC 6455 5.5.3) and keepalive answers need nothing.
  if (!ping_payloads_.empty() && ping_payloads_.front() == payload) {
    ping_payloads_.pop_front();
    ++act().pongs;
  }
}

void session::on_message(message_event& m) {
  if (receive_error_) return;
  if (tracing())
    note(std::string("< websocket ") + (m.binary ? "binary" : "text") + " message " +
         std::to_string(m.payload.size()) + (m.compressed ? " bytes compressed" : " bytes"));
  // After our close the window stays open (so the peer's close frame cannot get stuck
  // behind unread data); what the application does not read is still queued, up to
  // one window's worth, then dropped.
  if (state_ != close_state::open &&
      inbox_bytes_ + m.payload.size() > config_->unread_after_close) {
    note("! message received after our close dropped: the application is not reading");
    return;
  }
  if (m.compressed) {
    // Inflated in bounded steps: a bomb stops at the limit, not after it.
    if (!inflater_) return violation(make_error_code(error::bad_reserved_bits), 1002);
    std::string inflated;
    if (auto ec =
            inflater_->decompress(bytes_of(m.payload), config_->limits.max_message_size, inflated))
      return violation(ec, ec == error::message_too_big ? 1009 : 1007);
    if (!m.binary && !is_valid_utf8(bytes_of(inflated)))
      return violation(make_error_code(error::invalid_utf8), 1007);
    reader_.recycle(std::move(m.payload));
    m.payload = std::move(inflated);
  }
  inbox_bytes_ += m.payload.size();
  inbox_.emplace_back(m.binary ? message::kind::binary : message::kind::text, std::move(m.payload));
}

void session::on_close(close_event& c) {
  if (receive_error_) return;
  peer_close_code_ = c.code;
  peer_close_reason_ = std::move(c.reason);
  note("< websocket close code=" + std::to_string(peer_close_code_) +
       " reason=" + peer_close_reason_);
  receive_error_ = make_error_code(error::closed);
  cancel_timer();
  if (!actions_.close_completed) {
    act().close_completed = true;
    act().close_result = {};
  }
  if (state_ == close_state::close_sent) {  // the answer to ours: the handshake is done
    state_ = close_state::closed;
    end_our_half();
    return;
  }
  // Echo the peer's code (RFC 6455 5.5.1), but only once the application has taken
  // every message that came before the close: what it sends in answer to them must go
  // out ahead of our close frame (an echo server would lose its last echoes otherwise).
  // Bounded by close_timeout.
  state_ = close_state::close_received;
  close_reply_code_ = c.code;
  if (!reply_to_close_if_ready()) arm(timer_purpose::close_reply);
}

bool session::reply_to_close_if_ready() {
  if (state_ != close_state::close_received || !inbox_.empty() || app_holds_message_) return false;
  cancel_timer();
  queue_close(close_reply_code_, "");
  state_ = close_state::closed;
  end_our_half();
  return true;
}

void session::violation(error_code ec, std::uint16_t close_code) {
  // The peer broke RFC 6455 (or 7692): tell it why with the matching close code, end our half.
  note("! websocket protocol violation: " + ec.message());
  receive_error_ = ec;
  if (state_ == close_state::open) queue_close(close_code, "");
  end_our_half();
  arm(timer_purpose::close_handshake);
}

void session::on_end_stream() {
  if (state_ == close_state::finished) return;
  if (peer_close_code_ == 1006 && !receive_error_) {
    // The peer's half ended without a close frame: the websocket ended abnormally.
    receive_error_ = make_error_code(error::closed_without_handshake);
  }
  // A peer may send its close and END_STREAM together (Chromium does): our close still
  // answers it, and ends our half when it goes (reply_to_close_if_ready).
  if (state_ != close_state::close_received) {
    state_ = close_state::closed;
    end_our_half();
  }
  act().deliver = true;
}

void session::on_stream_closed(std::uint32_t http2_error_code) {
  if (http2_error_code != 0) reset_code_ = http2_error_code;
  if (state_ == close_state::finished) return;
  error_code ec;
  if (peer_close_code_ != 1006) {
    // Close frames exchanged: END_STREAM, NO_ERROR or CANCEL are all a normal end.
    ec = make_error_code(error::closed);
  } else if (receive_error_) {
    ec = receive_error_;
  } else if (http2_error_code != 0) {
    ec = make_error_code(error::stream_reset);
  } else {
    ec = make_error_code(error::closed_without_handshake);
  }
  finish(ec);
}

void session::on_connection_failed(error_code ec) {
  finish(peer_close_code_ != 1006 ? make_error_code(error::closed) : ec);
}

void session::on_timer() {
  const auto purpose = std::exchange(timer_, timer_purpose::none);
  if (state_ == close_state::finished) return;
  if (purpose == timer_purpose::close_reply && state_ == close_state::close_received) {
    note("! the application did not read its last messages: closing");
    app_holds_message_ = false;
    inbox_.clear();
    inbox_bytes_ = 0;
    reply_to_close_if_ready();
    return;
  }
  if (purpose == timer_purpose::close_handshake) {
    note("! close handshake timed out, resetting the stream");
    const auto timeout = make_error_code(error::timeout);
    if (!receive_error_) receive_error_ = timeout;
    if (!actions_.close_completed) {
      act().close_completed = true;
      act().close_result = timeout;
    }
    act().reset = stream_cancel;
  }
}

void session::finish(error_code ec) {
  if (state_ == close_state::finished) return;
  state_ = close_state::finished;
  cancel_timer();
  if (!receive_error_) receive_error_ = ec;
  finished_with_ = ec;
  if (!actions_.close_completed) {
    act().close_completed = true;
    act().close_result = peer_close_code_ != 1006 ? error_code{} : receive_error_;
  }
  ping_payloads_.clear();
  out_.clear();
  out_front_offset_ = 0;
  out_bytes_ = 0;
  // The stream is gone: the connection window still needs its bytes back.
  act().consume += std::exchange(unacknowledged_, 0);
  act().deliver = true;
  act().finished = true;
}

error_code session::send_failure() const noexcept {
  // Sends still queued after our close never went: they fail with why the stream ended.
  if (send_error_ && send_error_ != error::send_after_close) return send_error_;
  return finished_with_ ? finished_with_ : receive_error_;
}

// --- Requests ---

error_code session::send(message&& m, std::uint64_t& done_at) {
  if (state_ == close_state::finished || send_error_)
    return send_error_ ? send_error_
                       : (receive_error_ ? receive_error_ : make_error_code(error::closed));
  const auto op = m.is_text() ? opcode::text : opcode::binary;
  if (raw_) {
    pushed(push(std::move(m).payload()));  // no header: the bytes exactly as given
  } else {
    const bool compress = m.compress();
    queue_message(op, std::move(m).payload(), compress);
  }
  done_at = queued_total_;
  return {};
}

std::optional<error_code> session::close(std::uint16_t code, std::string_view reason) {
  if (!is_valid_close_code(code)) return make_error_code(error::bad_close_code);
  if (peer_close_code_ != 1006) {  // the peer went first: answer now if not done yet
    app_holds_message_ = false;
    inbox_.clear();
    inbox_bytes_ = 0;
    reply_to_close_if_ready();
    return error_code{};
  }
  if (state_ == close_state::finished)
    return receive_error_ ? receive_error_ : make_error_code(error::closed);
  if (state_ == close_state::open) {
    queue_close(code, reason);
    arm(timer_purpose::close_handshake);
    acknowledge_if_drained();  // reopen the window so the peer's close can reach us
  }
  return std::nullopt;
}

std::optional<error_code> session::ping(std::string payload) {
  if (payload.size() > max_control_payload) return make_error_code(error::bad_control_frame);
  if (state_ != close_state::open && state_ != close_state::close_received)
    return receive_error_ ? receive_error_ : make_error_code(error::closed);
  queue_frame(opcode::ping, std::string(payload));
  ping_payloads_.push_back(std::move(payload));
  return std::nullopt;
}

void session::keepalive() {
  if (state_ == close_state::open && out_.empty()) queue_frame(opcode::ping, {});
}

void session::going_away() {
  if (state_ != close_state::open) return;
  queue_close(1001, "server shutting down");
  arm(timer_purpose::close_handshake);
  acknowledge_if_drained();
}

void session::abandon() {
  if (state_ != close_state::open && state_ != close_state::close_received) return;
  // Nobody holds this websocket any more: end the stream rather than leave it open.
  receive_error_ = make_error_code(error::operation_aborted);
  act().reset = stream_cancel;
}

void session::end_stream_now() {
  if (state_ != close_state::finished) end_our_half();
}

// --- Delivery ---

void session::on_receive_requested() {
  app_holds_message_ = false;
  reply_to_close_if_ready();
  acknowledge_if_drained();
  if (!inbox_.empty() || receive_error_) act().deliver = true;
}

message session::pop_message() {
  message m = std::move(inbox_.front());
  inbox_.pop_front();
  inbox_bytes_ -= m.size();
  return m;
}

message session::take_message() {
  message m = pop_message();
  app_holds_message_ = true;  // until it asks for the next one
  acknowledge_if_drained();
  return m;
}

void session::take_messages(std::vector<message>& into, std::size_t max) {
  if (inbox_.empty() || into.size() >= max) return;
  // Into storage of the thread's when `into` has none (no allocation per batch).
  if (into.capacity() == 0) vector_pool<message>::take(into);
  do {
    into.push_back(pop_message());
  } while (into.size() < max && !inbox_.empty());
  app_holds_message_ = true;  // until it asks for the next ones
  acknowledge_if_drained();
}

void session::acknowledge_if_drained() {
  // Backpressure: bytes of messages the application has not taken yet stay
  // unacknowledged, so the peer's window closes while the reader is slow. Once we
  // closed, everything is given back so that the peer's close can reach us.
  const bool we_closed = state_ == close_state::close_sent || state_ == close_state::closed;
  if ((!inbox_.empty() && !we_closed) || unacknowledged_ == 0 || state_ == close_state::finished)
    return;
  act().consume += std::exchange(unacknowledged_, 0);
}

// --- Output ---

void session::queue_frame(opcode op, std::string&& payload, bool rsv1, bool fin) {
  std::optional<std::uint32_t> key;
  if (config_->local_role == role::client)
    key = masks_ ? masks_->next() : mask_generator::for_this_thread().next();
  if (key) apply_mask({reinterpret_cast<std::uint8_t*>(payload.data()), payload.size()}, *key);
  if (tracing() && op != opcode::close)  // close frames are noted by queue_close()
    note(std::string("> websocket ") + opcode_name(op) + " frame " +
         std::to_string(payload.size()) + " bytes" + (fin ? "" : " (more follow)") +
         (rsv1 ? " compressed" : ""));
  const std::size_t payload_size = payload.size();
  auto& frame = push(std::move(payload));  // the header is written in place
  frame.header_size = static_cast<std::uint8_t>(
      write_frame_header(frame.header.data(), op, fin, payload_size, key, rsv1));
  pushed(frame);
}

void session::queue_message(opcode op, std::string&& payload, bool compress) {
  bool rsv1 = false;
  if (deflater_ && compress) {  // permessage-deflate: the whole message, RSV1 on its first frame
    std::vector<std::uint8_t> compressed;
    deflater_->compress(bytes_of(payload), compressed);
    payload.assign(reinterpret_cast<const char*>(compressed.data()), compressed.size());
    rsv1 = true;
  }
  const auto limit = config_->max_send_frame_size;
  if (limit == 0 || payload.size() <= limit) return queue_frame(op, std::move(payload), rsv1);
  // Fragmented: a first frame with the opcode, then continuations, FIN on the last.
  for (std::size_t offset = 0; offset < payload.size(); offset += limit) {
    const auto n = std::min(limit, payload.size() - offset);
    const bool last = offset + n == payload.size();
    queue_frame(offset == 0 ? op : opcode::continuation, payload.substr(offset, n),
                rsv1 && offset == 0, last);
  }
}

void session::queue_close(std::uint16_t code, std::string_view reason) {
  auto payload = close_payload(code, reason);
  note("> websocket close code=" + std::to_string(code));
  if (state_ == close_state::open) state_ = close_state::close_sent;
  if (!send_error_) send_error_ = make_error_code(error::send_after_close);
  queue_frame(opcode::close, std::move(payload));
}

out_frame& session::push(std::string&& payload) {
  auto& frame = out_.emplace_back();
  frame.payload = std::move(payload);
  return frame;
}

void session::pushed(const out_frame& frame) {
  queued_total_ += frame.size();
  out_bytes_ += frame.size();
  act().output = true;
}

template <class Sink>
std::size_t session::take(std::size_t n, Sink&& sink) {
  n = std::min(n, out_bytes_);
  out_bytes_ -= n;
  taken_total_ += n;
  for (std::size_t left = n; left > 0;) {
    auto& front = out_.front();
    if (out_front_offset_ < front.header_size) {
      const std::size_t k = std::min<std::size_t>(left, front.header_size - out_front_offset_);
      sink(front.header.data() + out_front_offset_, k);
      out_front_offset_ += k;
      left -= k;
    }
    if (left > 0 && out_front_offset_ < front.size()) {
      const std::size_t at = out_front_offset_ - front.header_size;
      const std::size_t k = std::min(left, front.payload.size() - at);
      sink(reinterpret_cast<const std::uint8_t*>(front.payload.data()) + at, k);
      out_front_offset_ += k;
      left -= k;
    }
    if (out_front_offset_ == front.size()) {
      reader_.recycle(std::move(front.payload));  // storage for a later received message
      out_.pop_front();
      out_front_offset_ = 0;
    }
  }
  // Frames of no bytes (a raw send of nothing) would stay at the front: drop them.
  while (!out_.empty() && out_.front().size() == 0) out_.pop_front();
  return n;
}

std::size_t session::take_output(std::uint8_t* to, std::size_t n) {
  return take(n, [&to](const std::uint8_t* p, std::size_t k) {
    std::memcpy(to, p, k);
    to += k;
  });
}

std::size_t session::take_output(byte_buffer& to, std::size_t n) {
  return take(n, [&to](const std::uint8_t* p, std::size_t k) { to.append(p, k); });
}

void session::end_our_half() {
  if (end_after_output_) return;
  end_after_output_ = true;
  act().output = true;
}

void session::arm(timer_purpose purpose) {
  if (config_->close_timeout.count() <= 0) return;
  timer_ = purpose;
  act().timer = actions::timer_change::arm;
  act().timer_after = config_->close_timeout;
}

void session::cancel_timer() {
  if (timer_ == timer_purpose::none) return;
  timer_ = timer_purpose::none;
  act().timer = actions::timer_change::cancel;
}

}  // namespace h2ws::ws
