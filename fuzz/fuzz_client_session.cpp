// fuzz_client_session: h2::session in the client role, with an extended CONNECT (RFC 8441)
// submitted, fed the server's bytes. The session_events below do what
// src/detail/connection_impl.cpp and websocket_impl.cpp do, without Asio: the :status decides
// the opening, DATA goes into a ws::reader, pings are answered and closes echoed through the
// CONNECT stream's data provider (deferred while nothing is queued, resumed on push), DATA is
// acknowledged with consume(). Output is drained after every piece, as the write loop would.
//
// Input: see chunked_input.hpp; the stream is the server's bytes. Config byte:
//   bit 0  prepend a valid server preface (SETTINGS with ENABLE_CONNECT_PROTOCOL=1) and an ACK of
//          our SETTINGS, so the fuzzer starts past the handshake
//   bit 1  with bit 0, also prepend HEADERS :status 200 on stream 1 (the websocket is open, the
//          input goes straight to DATA)
//   bit 2  submit the CONNECT once the server's SETTINGS allow it, as connection_impl does,
//          instead of before any byte is read
//   bit 3  trace on (exercises the frame descriptions)
//   bit 4  small flow-control windows (64 KiB) and 1 KiB websocket messages
//   bit 5  slow reader: DATA is acknowledged only when the stream closes
//   bit 6  once open, send a text message and an HTTP/2 PING
//   bit 7  once open, close the websocket from our side (1000) after the first piece
// Extra nibble (what connection_impl does on its own between reads):
//   bit 0  shutdown(): GOAWAY, then a close 1001 on the open websocket
//   bit 1  release(): once our stream is closed, terminate the session (GOAWAY, end)
//   bit 2  keepalive: an HTTP/2 PING and a websocket ping after every piece while open
//   bit 3  a timeout fires once open: RST_STREAM CANCEL on our stream
//
// Invariants checked: no sanitizer report; the reader's (close code for its error); nghttp2
// asks only our stream for a body; nothing arrives for our stream after it closed, and
// is_stream_open() agrees.
#include "check.hpp"
#include "chunked_input.hpp"
#include "h2/session.hpp"
#include "ws/reader.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nghttp2/nghttp2.h>

namespace {

using namespace h2ws;

// SETTINGS (ENABLE_CONNECT_PROTOCOL = 1), then SETTINGS with ACK.
constexpr std::array<std::uint8_t, 24> server_preface = {
    0x00, 0x00, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,  // SETTINGS, 6 bytes, stream 0
    0x00, 0x08, 0x00, 0x00, 0x00, 0x01,                    // ENABLE_CONNECT_PROTOCOL = 1
    0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,  // SETTINGS ACK
};
// HEADERS, END_HEADERS, stream 1: 0x88 = static table entry 8, ":status: 200".
constexpr std::array<std::uint8_t, 10> response_200 = {0x00, 0x00, 0x01, 0x01, 0x04,
                                                       0x00, 0x00, 0x00, 0x01, 0x88};

class client final : public h2::session_events {
 public:
  client(std::uint8_t config, std::uint8_t extra)
      : config_(config), extra_(extra), reader_(ws::role::client, limits(config)) {}

  void attach(h2::session& s, std::function<void(std::string_view)> trace) {
    session_ = &s;
    trace_ = std::move(trace);
  }
  bool submit_on_settings() const { return config_ & 4; }
  bool want_submit() const { return want_submit_; }

  void submit() {
    want_submit_ = false;
    if (stream_id_ >= 0) return;
    const header_list headers = {
        {":method", "CONNECT"}, {":protocol", "websocket"},     {":scheme", "http"},
        {":path", "/fuzz"},     {":authority", "fuzz.invalid"}, {"sec-websocket-version", "13"},
    };
    stream_id_ = session_->submit_request(headers, true, nullptr);
    state_ = stream_id_ > 0 ? state::opening : state::closed;
  }

  // What the application and connection_impl's timers may do between reads.
  void after_piece() {
    if (stream_closed_) H2WS_FUZZ_CHECK(!session_->is_stream_open(stream_id_));
    if ((extra_ & 2) && (stream_closed_ || state_ == state::idle) && !terminated_) {
      terminated_ = true;
      session_->terminate(NGHTTP2_NO_ERROR);
    }
    if (state_ != state::open) return;
    if ((extra_ & 1) && !goaway_sent_) {
      goaway_sent_ = true;
      session_->goaway(NGHTTP2_NO_ERROR);
      if (!close_sent_) queue_close(1001, "server shutting down");
    }
    if ((extra_ & 4) && !close_sent_) {
      session_->ping();
      if (out_.empty()) queue_frame(ws::opcode::ping, {});
    }
    if ((extra_ & 8) && !reset_sent_) {
      reset_sent_ = true;
      session_->reset_stream(stream_id_, NGHTTP2_CANCEL);
    }
    if ((config_ & 0x40) && !sent_) {
      sent_ = true;
      static constexpr char text[] = "hello from the fuzzer";
      queue_frame(ws::opcode::text, {reinterpret_cast<const std::uint8_t*>(text), sizeof text - 1});
      session_->ping();
    }
    if ((config_ & 0x80) && !close_sent_) {
      queue_close(1000);
      end_our_half();
    }
  }

  // session_events

  void on_remote_settings() override {
    if (settings_seen_) return;
    settings_seen_ = true;
    if (submit_on_settings() &&
        session_->remote_setting(NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL) == 1)
      want_submit_ = true;  // submitted after receive() returns, as the real code posts it
  }

  int on_begin_headers(std::int32_t stream_id) override {
    if (stream_id == stream_id_) H2WS_FUZZ_CHECK(!stream_closed_);
    return 0;
  }

  int on_header(std::int32_t stream_id, std::string_view name, std::string_view value) override {
    if (stream_id != stream_id_) return 0;
    H2WS_FUZZ_CHECK(!stream_closed_);
    if (name == ":status") {
      unsigned s = 0;
      std::from_chars(value.data(), value.data() + value.size(), s);
      status_ = s;
    } else if (name == "sec-websocket-protocol") {
      subprotocol_ = true;  // none offered: any answer is unexpected
    }
    return 0;
  }

  int on_headers_complete(std::int32_t stream_id, bool end_stream) override {
    if (stream_id != stream_id_) return 0;
    H2WS_FUZZ_CHECK(!stream_closed_);
    if (state_ != state::opening) {  // trailers
      if (end_stream) on_remote_end_stream(stream_id);
      return 0;
    }
    if (status_ >= 100 && status_ < 200) {  // interim: the final answer follows
      status_ = 0;
      subprotocol_ = false;
      return 0;
    }
    if (status_ < 200 || status_ > 299 || end_stream || subprotocol_) {
      if (!end_stream) session_->reset_stream(stream_id_, NGHTTP2_CANCEL);
      state_ = state::closed;
      return 0;
    }
    state_ = state::open;
    return 0;
  }

  int on_data(std::int32_t stream_id, std::span<const std::uint8_t> data) override {
    if (stream_id != stream_id_ || state_ != state::open || close_received_ || reader_.error()) {
      if (stream_id == stream_id_) H2WS_FUZZ_CHECK(!stream_closed_);
      session_->consume(stream_id, data.size());
      return 0;
    }
    unacknowledged_ += data.size();
    const bool ok = reader_.feed(data);
    H2WS_FUZZ_CHECK(ok == !reader_.error());
    while (auto e = reader_.next()) handle(*e);
    if (reader_.error() && !receive_failed_) {
      receive_failed_ = true;
      note("! websocket: " + reader_.error().message());
      const auto code = reader_.close_code_for_error();
      H2WS_FUZZ_CHECK(code == 1002 || code == 1007 || code == 1009);
      if (!close_sent_) queue_close(code);
      end_our_half();
    }
    if (!(config_ & 0x20)) acknowledge();
    return 0;
  }

  int on_remote_end_stream(std::int32_t stream_id) override {
    if (stream_id != stream_id_ || state_ != state::open) return 0;
    end_our_half();
    return 0;
  }

  int on_stream_closed(std::int32_t stream_id, std::uint32_t) override {
    if (stream_id != stream_id_) return 0;
    H2WS_FUZZ_CHECK(!stream_closed_);
    stream_closed_ = true;
    state_ = state::closed;
    out_.clear();
    out_offset_ = 0;
    acknowledge();  // the connection window still wants its bytes back
    return 0;
  }

  void on_goaway(std::int32_t, std::uint32_t) override {}
  void on_ping_ack() override {}

  ssize_t read_body(std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                    std::uint32_t* data_flags) override {
    H2WS_FUZZ_CHECK(stream_id == stream_id_);
    H2WS_FUZZ_CHECK(!stream_closed_);
    std::size_t copied = 0;
    while (copied < length && !out_.empty()) {
      auto& front = out_.front();
      const std::size_t n = std::min(length - copied, front.size() - out_offset_);
      std::memcpy(buf + copied, front.data() + out_offset_, n);
      copied += n;
      out_offset_ += n;
      if (out_offset_ == front.size()) {
        out_.pop_front();
        out_offset_ = 0;
      }
    }
    note("> websocket bytes " + std::to_string(copied));
    if (out_.empty() && end_after_queue_) {
      note("> END_STREAM");
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(copied);
    }
    if (copied == 0) {
      deferred_ = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(copied);
  }

 private:
  enum class state { idle, opening, open, closed };

  static ws::reader_limits limits(std::uint8_t config) {
    ws::reader_limits l;
    if (config & 0x10) l.max_message_size = 1024;
    return l;
  }

  void note(const std::string& line) {
    if (trace_) trace_(line);
  }

  void handle(ws::event& e) {
    note("< websocket event " + std::to_string(e.index()));
    if (auto* m = std::get_if<ws::message_event>(&e)) {
      if (!m->binary)
        H2WS_FUZZ_CHECK(ws::is_valid_utf8(
            {reinterpret_cast<const std::uint8_t*>(m->payload.data()), m->payload.size()}));
    } else if (auto* p = std::get_if<ws::ping_event>(&e)) {
      if (!close_sent_)
        queue_frame(ws::opcode::pong,
                    {reinterpret_cast<const std::uint8_t*>(p->payload.data()), p->payload.size()});
    } else if (auto* c = std::get_if<ws::close_event>(&e)) {
      close_received_ = true;
      if (!close_sent_) queue_close(c->code);
      end_our_half();
    }
  }

  std::uint32_t next_mask() {
    mask_ = mask_ * 1664525u + 1013904223u;
    return mask_;
  }

  void queue_frame(ws::opcode op, std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> frame;
    ws::write_frame(frame, op, true, payload, next_mask());
    push(std::move(frame));
  }

  // Like websocket_impl, never a default-constructed (null) reason: see README, "Results".
  void queue_close(std::uint16_t code, std::string_view reason = "") {
    std::vector<std::uint8_t> frame;
    ws::write_close_frame(frame, code, reason, next_mask());
    close_sent_ = true;
    push(std::move(frame));
  }

  void push(std::vector<std::uint8_t> frame) {
    if (stream_closed_) return;
    out_.push_back(std::move(frame));
    resume_if_deferred();
  }

  void end_our_half() {
    if (end_after_queue_) return;
    end_after_queue_ = true;
    resume_if_deferred();
  }

  void resume_if_deferred() {
    if (!deferred_) return;
    deferred_ = false;
    session_->resume(stream_id_);
  }

  void acknowledge() {
    session_->consume(stream_id_, unacknowledged_);
    unacknowledged_ = 0;
  }

  std::uint8_t config_;
  std::uint8_t extra_;
  h2::session* session_ = nullptr;
  std::function<void(std::string_view)> trace_;
  std::int32_t stream_id_ = -1;
  state state_ = state::idle;
  unsigned status_ = 0;
  bool subprotocol_ = false;
  bool settings_seen_ = false;
  bool want_submit_ = false;
  bool sent_ = false;
  bool stream_closed_ = false;
  bool goaway_sent_ = false;
  bool terminated_ = false;
  bool reset_sent_ = false;

  ws::reader reader_;
  bool receive_failed_ = false;
  bool close_received_ = false;
  bool close_sent_ = false;
  std::size_t unacknowledged_ = 0;

  std::deque<std::vector<std::uint8_t>> out_;
  std::size_t out_offset_ = 0;
  bool deferred_ = false;
  bool end_after_queue_ = false;
  std::uint32_t mask_ = 0x2545f491u;
};

// Everything the session wants to write, thrown away (the server is this input).
void drain(h2::session& s) {
  while (!s.next_output().empty()) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const h2ws::fuzz::chunked_input input(data, size);
  const std::uint8_t config = input.config();

  h2::session_settings settings;  // what connection_impl passes for default options
  settings.stream_window = 4 * 1024 * 1024;
  settings.connection_window = 64 * 1024 * 1024;
  if (config & 0x10) settings.stream_window = settings.connection_window = 65535;

  // H2WS_FUZZ_TRACE=1 prints the trace (of inputs with bit 3), to read a reproducer.
  static const bool print_trace = std::getenv("H2WS_FUZZ_TRACE") != nullptr;
  std::size_t traced = 0;
  std::function<void(std::string_view)> trace;
  if (config & 8) {
    trace = [&traced](std::string_view line) {
      traced += line.size();
      if (print_trace) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
  }

  client events(config, input.extra());
  h2::session session(h2::role::client, events, settings, trace);
  events.attach(session, trace);
  if (!events.submit_on_settings()) events.submit();
  drain(session);

  std::vector<std::span<const std::uint8_t>> pieces;
  if (config & 1) {
    pieces.push_back(server_preface);
    if (config & 2) pieces.push_back(response_200);
  }
  for (auto p : input.pieces()) pieces.push_back(p);

  for (auto piece : pieces) {
    const auto ec = session.receive(piece);
    if (events.want_submit()) events.submit();
    events.after_piece();
    drain(session);
    // As the read loop: after a protocol error nothing more is read, the GOAWAY is flushed.
    if (ec || !session.wants_io()) break;
  }
  return 0;
}
