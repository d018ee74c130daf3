#include "h2/session.hpp"

#include "h2/allocator.hpp"
#include <h2ws/error.hpp>

#include <exception>
#include <string>
#include <vector>

#include <nghttp2/nghttp2.h>

namespace h2ws::h2 {

namespace {

const char* frame_name(std::uint8_t type) {
  switch (type) {
    case NGHTTP2_DATA:
      return "DATA";
    case NGHTTP2_HEADERS:
      return "HEADERS";
    case NGHTTP2_PRIORITY:
      return "PRIORITY";
    case NGHTTP2_RST_STREAM:
      return "RST_STREAM";
    case NGHTTP2_SETTINGS:
      return "SETTINGS";
    case NGHTTP2_PUSH_PROMISE:
      return "PUSH_PROMISE";
    case NGHTTP2_PING:
      return "PING";
    case NGHTTP2_GOAWAY:
      return "GOAWAY";
    case NGHTTP2_WINDOW_UPDATE:
      return "WINDOW_UPDATE";
    case NGHTTP2_CONTINUATION:
      return "CONTINUATION";
    default:
      return "UNKNOWN";
  }
}

const char* settings_name(std::int32_t id) {
  switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
      return "HEADER_TABLE_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
      return "ENABLE_PUSH";
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
      return "MAX_CONCURRENT_STREAMS";
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
      return "INITIAL_WINDOW_SIZE";
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
      return "MAX_FRAME_SIZE";
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
      return "MAX_HEADER_LIST_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
      return "ENABLE_CONNECT_PROTOCOL";
    default:
      return "UNKNOWN_SETTING";
  }
}

// One trace line per frame: direction, type, stream, the fields that matter.
std::string describe(const char* direction, const nghttp2_frame* frame) {
  std::string line = std::string(direction) + ' ' + frame_name(frame->hd.type) +
                     " stream=" + std::to_string(frame->hd.stream_id);
  if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM &&
      (frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS))
    line += " END_STREAM";
  switch (frame->hd.type) {
    case NGHTTP2_DATA:
      line += " length=" + std::to_string(frame->hd.length);
      break;
    case NGHTTP2_SETTINGS:
      if (frame->hd.flags & NGHTTP2_FLAG_ACK) line += " ACK";
      for (std::size_t i = 0; i < frame->settings.niv; ++i)
        line += std::string(" ") + settings_name(frame->settings.iv[i].settings_id) + '=' +
                std::to_string(frame->settings.iv[i].value);
      break;
    case NGHTTP2_RST_STREAM:
      line += std::string(" error=") + nghttp2_http2_strerror(frame->rst_stream.error_code);
      break;
    case NGHTTP2_GOAWAY:
      line += " last_stream=" + std::to_string(frame->goaway.last_stream_id) +
              " error=" + nghttp2_http2_strerror(frame->goaway.error_code);
      break;
    case NGHTTP2_WINDOW_UPDATE:
      line += " increment=" + std::to_string(frame->window_update.window_size_increment);
      break;
    case NGHTTP2_PING:
      if (frame->hd.flags & NGHTTP2_FLAG_ACK) line += " ACK";
      break;
    default:
      break;
  }
  return line;
}

}  // namespace

// The C callbacks: user_data is the session object (which never moves), so
// each callback reaches its events and trace sink. A friend, for trace_.
struct callbacks {
  static session& self(void* user_data) { return *static_cast<session*>(user_data); }
  static session_events& events(void* user_data) { return *self(user_data).events_; }
  static void trace(void* user_data, const std::string& line) {
    if (self(user_data).trace_) self(user_data).trace_(line);
  }
  // Frame and header lines: only when wanted (formatting them costs per message).
  static bool tracing(void* user_data) {
    return self(user_data).trace_frames_ && static_cast<bool>(self(user_data).trace_);
  }

  // No exception crosses into nghttp2's C code. One thrown while handling a stream fails
  // that stream (RST_STREAM INTERNAL_ERROR; the connection and its other streams carry
  // on); one thrown for the connection as a whole fails the session (GOAWAY).
  template <class F>
  static int guarded(void* ud, nghttp2_session* s, std::int32_t stream_id, F&& f) noexcept {
    try {
      return f();
    } catch (const std::exception& e) {
      contained(ud, s, stream_id, e.what());
    } catch (...) {
      contained(ud, s, stream_id, "unknown exception");
    }
    return stream_id > 0 ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  static void contained(void* ud, nghttp2_session* s, std::int32_t stream_id,
                        const char* what) noexcept {
    try {
      trace(ud, "! exception on stream " + std::to_string(stream_id) + ": " + what);
    } catch (...) {
    }
    if (stream_id > 0)
      nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
  }

  static int on_begin_headers(nghttp2_session* s, const nghttp2_frame* frame, void* ud) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    return guarded(ud, s, frame->hd.stream_id,
                   [&] { return events(ud).on_begin_headers(frame->hd.stream_id); });
  }
  static int on_header(nghttp2_session* s, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* ud) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    return guarded(ud, s, frame->hd.stream_id, [&] {
      std::string_view n(reinterpret_cast<const char*>(name), namelen);
      std::string_view v(reinterpret_cast<const char*>(value), valuelen);
      if (tracing(ud))
        trace(ud, "< header stream=" + std::to_string(frame->hd.stream_id) + ' ' + std::string(n) +
                      ": " + std::string(v));
      return events(ud).on_header(frame->hd.stream_id, n, v);
    });
  }
  static int on_frame_recv(nghttp2_session* s, const nghttp2_frame* frame, void* ud) {
    // The hot case, a DATA frame that does not end its stream, asks for nothing.
    if (frame->hd.type == NGHTTP2_DATA && !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    return guarded(ud, s, frame->hd.stream_id, [&] { return frame_received(frame, ud); });
  }
  static int frame_received(const nghttp2_frame* frame, void* ud) {
    if (tracing(ud) && frame->hd.type != NGHTTP2_DATA) trace(ud, describe("<", frame));
    auto& ev = events(ud);
    switch (frame->hd.type) {
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) ev.on_remote_settings();
        return 0;
      case NGHTTP2_HEADERS:
        return ev.on_headers_complete(frame->hd.stream_id,
                                      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0);
      case NGHTTP2_DATA:
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
          return ev.on_remote_end_stream(frame->hd.stream_id);
        return 0;
      case NGHTTP2_GOAWAY:
        self(ud).goaway_ = true;
        ev.on_goaway(frame->goaway.last_stream_id, frame->goaway.error_code);
        return 0;
      case NGHTTP2_PING:
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) ev.on_ping_ack();
        return 0;
      default:
        return 0;
    }
  }
  static int on_frame_send(nghttp2_session* s, const nghttp2_frame* frame, void* ud) {
    if (frame->hd.type == NGHTTP2_DATA) return 0;  // the hot case: nothing to note
    if (frame->hd.type == NGHTTP2_GOAWAY) self(ud).goaway_ = true;
    if (!tracing(ud)) return 0;
    return guarded(ud, s, 0, [&] { return frame_sent(frame, ud); });
  }
  static int frame_sent(const nghttp2_frame* frame, void* ud) {
    trace(ud, describe(">", frame));
    if (frame->hd.type == NGHTTP2_HEADERS) {
      for (std::size_t i = 0; i < frame->headers.nvlen; ++i) {
        const auto& nv = frame->headers.nva[i];
        trace(ud, "> header stream=" + std::to_string(frame->hd.stream_id) + ' ' +
                      std::string(reinterpret_cast<const char*>(nv.name), nv.namelen) + ": " +
                      std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen));
      }
    }
    return 0;
  }
  static int on_data_chunk(nghttp2_session* s, uint8_t, int32_t stream_id, const uint8_t* data,
                           size_t len, void* ud) {
    return guarded(ud, s, stream_id, [&] { return events(ud).on_data(stream_id, {data, len}); });
  }
  static int on_stream_close(nghttp2_session* s, int32_t stream_id, uint32_t error_code, void* ud) {
    // The stream is gone already: an exception here can only fail the session.
    return guarded(ud, s, 0, [&] { return events(ud).on_stream_closed(stream_id, error_code); });
  }
  static int on_error(nghttp2_session* s, int, const char* msg, size_t len, void* ud) {
    return guarded(ud, s, 0, [&] {
      trace(ud, "! http2: " + std::string(msg, len));
      return 0;
    });
  }
  static int send_data(nghttp2_session* s, nghttp2_frame* frame, const uint8_t* framehd,
                       size_t length, nghttp2_data_source*, void* ud) {
    // Half a DATA frame may be out already: only the session can fail cleanly.
    return guarded(ud, s, 0, [&] {
      return events(ud).on_send_data(frame->hd.stream_id, {framehd, 9}, length, frame->data.padlen);
    });
  }
  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source*, void* ud) noexcept {
    try {
      const auto chunk = events(ud).read_body(stream_id, buf, length);
      if (chunk.failed) return NGHTTP2_ERR_CALLBACK_FAILURE;
      if (chunk.deferred) return NGHTTP2_ERR_DEFERRED;
      if (chunk.in_place) *data_flags |= NGHTTP2_DATA_FLAG_NO_COPY;
      if (chunk.eof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      if (chunk.eof && chunk.pause) *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      return static_cast<ssize_t>(chunk.length);
    } catch (...) {
      // nghttp2 resets this stream with INTERNAL_ERROR.
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
  }
};

namespace {
std::vector<nghttp2_nv> to_nv(const header_list& headers) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nva;
}
}  // namespace

void session::deleter::operator()(nghttp2_session* s) const { nghttp2_session_del(s); }

session::session(role r, session_events& ev, const session_settings& settings,
                 std::function<void(std::string_view)> trace)
    : events_(&ev), trace_(std::move(trace)), trace_frames_(settings.trace_frames) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, callbacks::on_frame_send);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, callbacks::on_stream_close);
  nghttp2_session_callbacks_set_error_callback2(cbs, callbacks::on_error);
  nghttp2_session_callbacks_set_send_data_callback(cbs, callbacks::send_data);

  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  // Backpressure: DATA is acknowledged only when the application consumed it.
  nghttp2_option_set_no_auto_window_update(opt, 1);

  nghttp2_session* raw = nullptr;
  if (r == role::client)
    nghttp2_session_client_new3(&raw, cbs, this, opt, recycling_mem());
  else
    nghttp2_session_server_new3(&raw, cbs, this, opt, recycling_mem());
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  session_.reset(raw);

  std::vector<nghttp2_settings_entry> iv = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings.max_header_list_size},
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  if (r == role::client) iv.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  if (r == role::server && settings.enable_connect_protocol)
    iv.push_back({NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1});
  nghttp2_submit_settings(raw, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
  if (settings.connection_window > 65535)
    nghttp2_session_set_local_window_size(raw, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<int32_t>(settings.connection_window));
}

session::~session() = default;

boost::system::error_code session::receive(std::span<const std::uint8_t> bytes) {
  auto rv = nghttp2_session_mem_recv(session_.get(), bytes.data(), bytes.size());
  if (rv < 0 || static_cast<std::size_t>(rv) != bytes.size()) {
    if (trace_) trace_(std::string("! http2 receive failed: ") + nghttp2_strerror(int(rv)));
    return make_error_code(error::http2_protocol_error);
  }
  return {};
}

std::span<const std::uint8_t> session::next_output() {
  const uint8_t* data = nullptr;
  auto n = nghttp2_session_mem_send(session_.get(), &data);
  if (n <= 0) return {};
  return {data, static_cast<std::size_t>(n)};
}

bool session::wants_io() const {
  // Until a GOAWAY went either way nghttp2 always wants to read (nghttp2_session_want_read()):
  // no two calls per write to learn it.
  if (!goaway_) return true;
  return nghttp2_session_want_read(session_.get()) || nghttp2_session_want_write(session_.get());
}

bool session::wants_write() const { return nghttp2_session_want_write(session_.get()) != 0; }

std::int32_t session::submit_request(const header_list& headers, bool with_body,
                                     void* stream_data) {
  auto nva = to_nv(headers);
  nghttp2_data_provider provider{};
  provider.read_callback = callbacks::read_body;
  return nghttp2_submit_request(session_.get(), nullptr, nva.data(), nva.size(),
                                with_body ? &provider : nullptr, stream_data);
}

int session::submit_response(std::int32_t stream_id, const header_list& headers, bool with_body) {
  auto nva = to_nv(headers);
  nghttp2_data_provider provider{};
  provider.read_callback = callbacks::read_body;
  return nghttp2_submit_response(session_.get(), stream_id, nva.data(), nva.size(),
                                 with_body ? &provider : nullptr);
}

void session::resume(std::int32_t stream_id) {
  // After a pause the stream has no data source: a new one, which ends the stream when
  // read_body() says eof without pause (END_STREAM here is only that permission).
  // Otherwise its source is deferred (or still queued, then this changes nothing).
  nghttp2_data_provider provider{};
  provider.read_callback = callbacks::read_body;
  if (nghttp2_submit_data(session_.get(), NGHTTP2_FLAG_END_STREAM, stream_id, &provider) ==
      NGHTTP2_ERR_DATA_EXIST)
    nghttp2_session_resume_data(session_.get(), stream_id);
}

void session::consume(std::int32_t stream_id, std::size_t n) {
  if (n == 0) return;
  if (nghttp2_session_consume(session_.get(), stream_id, n) != 0)
    nghttp2_session_consume_connection(session_.get(), n);
}

void session::reset_stream(std::int32_t stream_id, std::uint32_t error_code) {
  nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, error_code);
}

void session::goaway(std::uint32_t error_code) {
  nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_.get()), error_code,
                        nullptr, 0);
}

void session::terminate(std::uint32_t error_code) {
  nghttp2_session_terminate_session(session_.get(), error_code);
}

void session::ping() { nghttp2_submit_ping(session_.get(), NGHTTP2_FLAG_NONE, nullptr); }

std::uint32_t session::remote_max_concurrent_streams() const {
  return nghttp2_session_get_remote_settings(session_.get(),
                                             NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool session::remote_enables_connect_protocol() const {
  return nghttp2_session_get_remote_settings(session_.get(),
                                             NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL) == 1;
}

std::string_view session::describe(int error) { return nghttp2_strerror(error); }

bool session::out_of_stream_ids(int error) { return error == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE; }

std::string_view code_name(std::uint32_t code) { return nghttp2_http2_strerror(code); }

static_assert(code::no_error == NGHTTP2_NO_ERROR &&
              code::protocol_error == NGHTTP2_PROTOCOL_ERROR &&
              code::internal_error == NGHTTP2_INTERNAL_ERROR && code::cancel == NGHTTP2_CANCEL &&
              code::enhance_your_calm == NGHTTP2_ENHANCE_YOUR_CALM);
static_assert(verdict::reset_stream == NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE &&
              verdict::fail_connection == NGHTTP2_ERR_CALLBACK_FAILURE &&
              verdict::later == NGHTTP2_ERR_WOULDBLOCK);

bool session::is_stream_open(std::int32_t stream_id) const {
  return nghttp2_session_find_stream(session_.get(), stream_id) != nullptr;
}

}  // namespace h2ws::h2
