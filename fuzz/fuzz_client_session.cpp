// fuzz_client_session: h2::session in the client role, with an extended CONNECT (RFC 8441)
// submitted, fed the server's bytes. The websocket on the CONNECT stream is the library's
// own I/O-free ws::session (src/ws/session.hpp), driven as detail::websocket_impl drives it
// but without Asio: the :status decides the opening, DATA goes to session::on_bytes, its
// actions are carried out (window given back with consume(), resets, output pulled through
// the stream's data provider, deferred while nothing is queued and resumed on output), and
// its timers fire at once when bit 3 of the extra nibble says so. Output is drained after
// every piece, as the write loop would.
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
//   bit 3  a timeout fires once open: RST_STREAM CANCEL on our stream, and the websocket's
//          close timers fire as soon as they are armed
//
// Invariants checked: no sanitizer report; received text is UTF-8; nghttp2 asks only our
// stream for a body; nothing arrives for our stream after it closed, and is_stream_open()
// agrees; once the stream closed the websocket session is finished with an error set.
#include "check.hpp"
#include "chunked_input.hpp"
#include "h2/session.hpp"
#include "ws/mask_generator.hpp"
#include "ws/session.hpp"
#include "ws/utf8_validator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
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
  client(std::uint8_t config, std::uint8_t extra) : config_(config), extra_(extra) {}

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
    if (state_ != state::open || !ws_) return;
    if ((extra_ & 1) && !goaway_sent_) {
      goaway_sent_ = true;
      session_->goaway(NGHTTP2_NO_ERROR);
      ws_->going_away();
    }
    if (extra_ & 4) {
      session_->ping();
      ws_->keepalive();
    }
    if ((extra_ & 8) && !reset_sent_) {
      reset_sent_ = true;
      session_->reset_stream(stream_id_, NGHTTP2_CANCEL);
    }
    if ((config_ & 0x40) && !sent_) {
      sent_ = true;
      std::uint64_t done_at = 0;
      (void)ws_->send(message::text("hello from the fuzzer"), done_at);
      (void)ws_->ping("p");
      session_->ping();
    }
    if (config_ & 0x80) (void)ws_->close(1000, "");
    apply();
  }

  // session_events

  void on_remote_settings() override {
    if (settings_seen_) return;
    settings_seen_ = true;
    if (submit_on_settings() && session_->remote_enables_connect_protocol())
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
    ws_.emplace(websocket_config(config_), &masks_);
    return 0;
  }

  int on_data(std::int32_t stream_id, std::span<const std::uint8_t> data) override {
    if (stream_id == stream_id_) H2WS_FUZZ_CHECK(!stream_closed_);
    if (stream_id != stream_id_ || state_ != state::open || !ws_) {
      session_->consume(stream_id, data.size());
      return 0;
    }
    ws_->on_bytes(data);
    apply();
    return 0;
  }

  int on_remote_end_stream(std::int32_t stream_id) override {
    if (stream_id != stream_id_ || state_ != state::open || !ws_) return 0;
    ws_->on_end_stream();
    apply();
    return 0;
  }

  int on_stream_closed(std::int32_t stream_id, std::uint32_t error_code) override {
    if (stream_id != stream_id_) return 0;
    H2WS_FUZZ_CHECK(!stream_closed_);
    stream_closed_ = true;
    state_ = state::closed;
    if (ws_) {
      ws_->on_stream_closed(error_code);
      H2WS_FUZZ_CHECK(ws_->state() == ws::close_state::finished);
      H2WS_FUZZ_CHECK(static_cast<bool>(ws_->error()));
      apply();
    }
    return 0;
  }

  void on_goaway(std::int32_t, std::uint32_t) override {}
  void on_ping_ack() override {}

  h2::body_chunk read_body(std::int32_t stream_id, std::uint8_t* buf, std::size_t length) override {
    H2WS_FUZZ_CHECK(stream_id == stream_id_);
    H2WS_FUZZ_CHECK(!stream_closed_);
    h2::body_chunk chunk;
    if (!ws_) {
      chunk.eof = true;
      return chunk;
    }
    chunk.length = ws_->take_output(buf, std::min(length, ws_->output_size()));
    note("> websocket bytes " + std::to_string(chunk.length));
    if (ws_->output_size() == 0 && ws_->output_ends()) {
      note("> END_STREAM");
      chunk.eof = true;
      return chunk;
    }
    if (chunk.length == 0) {
      deferred_ = true;
      chunk.deferred = true;
    }
    return chunk;
  }

 private:
  enum class state { idle, opening, open, closed };

  static ws::session_config websocket_config(std::uint8_t config) {
    ws::session_config c;  // what websocket_impl derives from the default options
    c.local_role = ws::role::client;
    if (config & 0x10) {
      c.limits.max_message_size = 1024;
      c.max_send_frame_size = 64;
    }
    return c;
  }

  void note(const std::string& line) {
    if (trace_) trace_(line);
  }

  // Carries out the websocket's actions, as websocket_impl::apply() does.
  void apply() {
    for (int rounds = 0; rounds < 4 && ws_; ++rounds) {
      // The application: takes every message (unless it is a slow reader), then asks again.
      if (!(config_ & 0x20)) {
        while (ws_->has_message()) {
          const auto m = ws_->take_message();
          if (m.is_text())
            H2WS_FUZZ_CHECK(ws::is_valid_utf8(
                {reinterpret_cast<const std::uint8_t*>(m.text().data()), m.size()}));
        }
        ws_->on_receive_requested();
      }
      auto a = ws_->take_actions();
      if (a.consume > 0 && !stream_closed_) session_->consume(stream_id_, a.consume);
      if (a.reset && !stream_closed_) session_->reset_stream(stream_id_, *a.reset);
      if (a.output && deferred_ && !stream_closed_) {
        deferred_ = false;
        session_->resume(stream_id_);
      }
      if (a.timer == ws::actions::timer_change::arm && (extra_ & 8)) {
        ws_->on_timer();  // the close timers fire at once
        continue;
      }
      if (a == ws::actions{}) break;
    }
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

  ws::mask_generator masks_;
  std::optional<ws::session> ws_;  // once the CONNECT was answered 2xx
  bool deferred_ = false;          // nghttp2 waits for resume()
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
