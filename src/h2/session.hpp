// Owns one nghttp2 session (client or server role) and turns its C callbacks
// into calls on a session_events object. No I/O: bytes in through receive(),
// bytes out through next_output(); the connection drives both.
#pragma once

#include <h2ws/options.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <sys/types.h>

#include <boost/system/error_code.hpp>

struct nghttp2_session;

namespace h2ws::h2 {

enum class role { client, server };

/// HTTP/2 error codes (RFC 9113 section 7), as RST_STREAM and GOAWAY carry them.
namespace code {
constexpr std::uint32_t no_error = 0x0;
constexpr std::uint32_t protocol_error = 0x1;
constexpr std::uint32_t internal_error = 0x2;
constexpr std::uint32_t cancel = 0x8;
constexpr std::uint32_t enhance_your_calm = 0xb;
}  // namespace code

/// The name of an HTTP/2 error code ("CANCEL", "PROTOCOL_ERROR", ...).
std::string_view code_name(std::uint32_t code);

/// What an event callback returns: carry on, reset only this stream, or fail the whole
/// connection.
namespace verdict {
constexpr int ok = 0;
constexpr int reset_stream = -521;  // the stream gets RST_STREAM INTERNAL_ERROR
constexpr int fail_connection = -902;
/// on_send_data() only: nothing taken now; the same frame is offered again at the next
/// next_output(), which returns nothing more this time.
constexpr int later = -504;
}  // namespace verdict

/// What read_body() hands back besides the bytes.
struct body_chunk {
  /// Bytes written into the buffer (or, with `in_place`, promised to on_send_data()).
  std::size_t length = 0;
  bool eof = false;       ///< the stream's half ends with this frame
  bool in_place = false;  ///< the payload is written by on_send_data(), not copied from buf
  bool deferred = false;  ///< nothing to send now: resume() asks again
  /// With `eof`: the frame does not end the stream, only this data source. resume()
  /// submits a new one once there is more to send: no read that only defers, and no
  /// data source held by an idle stream.
  bool pause = false;
  bool failed = false;  ///< the data promised is gone: fail the connection
};

/// What the session reports. Int callbacks return a verdict.
class session_events {
 public:
  virtual ~session_events() = default;
  /// The peer's SETTINGS (not an ACK) was received and applied.
  virtual void on_remote_settings() = 0;
  /// A HEADERS frame starts on `stream_id` (server: a new request).
  virtual int on_begin_headers(std::int32_t stream_id) = 0;
  virtual int on_header(std::int32_t stream_id, std::string_view name, std::string_view value) = 0;
  /// A complete header block was received; `end_stream` when it carried END_STREAM.
  virtual int on_headers_complete(std::int32_t stream_id, bool end_stream) = 0;
  virtual int on_data(std::int32_t stream_id, std::span<const std::uint8_t> data) = 0;
  /// A DATA frame with END_STREAM was received (the peer's half is closed).
  virtual int on_remote_end_stream(std::int32_t stream_id) = 0;
  /// The stream is closed; `error_code` is the RST_STREAM code, or 0.
  virtual int on_stream_closed(std::int32_t stream_id, std::uint32_t error_code) = 0;
  virtual void on_goaway(std::int32_t last_stream_id, std::uint32_t error_code) = 0;
  virtual void on_ping_ack() = 0;
  /// Fills the next DATA frame of `stream_id`, at most `length` bytes into `buf` (or
  /// in place, see on_send_data()).
  virtual body_chunk read_body(std::int32_t stream_id, std::uint8_t* buf, std::size_t length) = 0;
  /// After read_body() answered `in_place`: the DATA frame goes out now, inside
  /// next_output(): `frame_header` (9 bytes), then `padding` bytes of padding length (0 or
  /// 1), then `length` payload bytes, then `padding - 1` zero bytes, all to be appended to
  /// the output by the callee after what next_output() returned so far. A verdict.
  /// Only called after an `in_place` chunk: the default (for event sinks that never answer
  /// so) fails the connection.
  virtual int on_send_data(std::int32_t /*stream_id*/,
                           std::span<const std::uint8_t> /*frame_header*/, std::size_t /*length*/,
                           std::size_t /*padding*/) {
    return verdict::fail_connection;
  }
};

struct session_settings {
  std::uint32_t max_concurrent_streams = 100;
  std::uint32_t stream_window = 65535;
  std::uint32_t connection_window = 65535;
  std::uint32_t max_header_list_size = 64 * 1024;
  bool enable_connect_protocol = false;  // server: advertise RFC 8441
  bool trace_frames = true;              // a trace line per frame and header field
};

class session {
 public:
  session(role r, session_events& events, const session_settings& settings,
          std::function<void(std::string_view)> trace);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Feeds bytes read from the transport. error::http2_protocol_error when the
  /// peer broke HTTP/2 (nghttp2 then queues a GOAWAY).
  boost::system::error_code receive(std::span<const std::uint8_t> bytes);
  /// The next bytes to write; empty when nothing is pending. Valid until the next call.
  std::span<const std::uint8_t> next_output();
  /// False once the session is over (GOAWAY exchanged and no stream left).
  bool wants_io() const;
  bool wants_write() const;

  /// Submits a request HEADERS (never END_STREAM when `with_body`); returns the stream id or < 0.
  /// The new stream's id, or a negative error (describe() tells; too_many_streams() says
  /// whether it was the stream ids running out).
  std::int32_t submit_request(const header_list& headers, bool with_body, void* stream_data);
  /// A submit error in words.
  static std::string_view describe(int error);
  /// Whether a submit error means no stream id is left on this connection.
  static bool out_of_stream_ids(int error);
  /// Submits response HEADERS; with a body the data comes from read_body().
  int submit_response(std::int32_t stream_id, const header_list& headers, bool with_body);
  /// There is more to send on `stream_id`: read_body() will be asked again, for a
  /// deferred data source or for a new one after a `pause`.
  void resume(std::int32_t stream_id);
  /// Acknowledges `n` received DATA bytes (WINDOW_UPDATE as nghttp2 sees fit).
  void consume(std::int32_t stream_id, std::size_t n);
  void reset_stream(std::int32_t stream_id, std::uint32_t error_code);
  /// GOAWAY with the last processed stream; `graceful` lets open streams finish.
  void goaway(std::uint32_t error_code);
  /// Ends the session: GOAWAY, then nothing more is read or written after it flushes.
  void terminate(std::uint32_t error_code);
  void ping();
  /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS.
  std::uint32_t remote_max_concurrent_streams() const;
  /// Whether the peer's SETTINGS had ENABLE_CONNECT_PROTOCOL=1 (RFC 8441).
  bool remote_enables_connect_protocol() const;
  bool is_stream_open(std::int32_t stream_id) const;

 private:
  struct deleter {
    void operator()(nghttp2_session* s) const;
  };
  session_events* events_;
  std::function<void(std::string_view)> trace_;
  bool trace_frames_ = true;
  bool goaway_ = false;  // a GOAWAY was sent or received (the callbacks see every one)
  std::unique_ptr<nghttp2_session, deleter> session_;
  friend struct callbacks;
};

}  // namespace h2ws::h2
