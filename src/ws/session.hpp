// One websocket's protocol state, I/O-free: framing (reader and writer), masking,
// fragmentation, permessage-deflate, UTF-8, ping/pong and the close handshake, over a
// byte stream that is either one HTTP/2 stream (RFC 8441) or an upgraded HTTP/1.1
// connection. Events go in as calls; what the driver must do comes out of
// take_actions() (bytes to write, window to give back, messages to deliver, a timer to
// arm or cancel, the stream to end or reset, operations to complete). No Asio, no
// sockets, no clocks: the driver (detail::websocket_impl) moves bytes, timers and
// completions, and unit tests and the fuzzer drive this same object.
#pragma once

#include "ws/byte_buffer.hpp"
#include "ws/event.hpp"
#include "ws/fifo.hpp"
#include "ws/first_inline_fifo.hpp"
#include "ws/frame.hpp"
#include "ws/reader.hpp"
#include "ws/stream_errors.hpp"
#include <h2ws/message.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::ws {

class deflater;
class inflater;
class mask_generator;
struct deflate_params;

/// Where the close handshake stands (RFC 6455 7.1). One value at a time, in this order.
enum class close_state : std::uint8_t {
  open,            ///< Messages flow both ways.
  close_received,  ///< The peer's close arrived; ours follows once the application has
                   ///< taken every message that came before it (bounded by the close timeout).
  close_sent,      ///< Our close frame is queued; the peer's close or the stream's end is awaited.
  closed,          ///< Both close frames are exchanged (or ours answered a violation or the
                   ///< stream ended): only the stream's end is awaited.
  finished,        ///< The stream is over; nothing more happens.
};

/// What the timer is armed for.
enum class timer_purpose : std::uint8_t {
  none,
  close_handshake,  ///< Our close (or a violation's) is out: the peer must finish in time.
  close_reply,      ///< The peer closed: the application must read its last messages in time.
};

/// What the driver must do after an event. Fields add up until take_actions() resets them.
struct actions {
  // Fields ordered by size (the struct sits in every websocket: no padding holes).
  /// Received bytes to give back to the peer as flow-control window.
  std::size_t consume = 0;
  std::chrono::nanoseconds timer_after{0};  // for timer_change::arm
  /// Complete every pending close() with `close_result`.
  boost::system::error_code close_result;
  /// Abort the byte stream with this HTTP/2 error code (HTTP/1.1: close the connection).
  std::optional<std::uint32_t> reset;
  /// This many of our pings were answered (oldest first).
  std::uint32_t pongs = 0;
  /// Bytes were queued, or the end of our half was asked for: pull output.
  bool output = false;
  /// A message, or the receive error after the last message, is ready for a receive().
  bool deliver = false;
  /// Arm the timer (for `timer_after`), cancel it, or leave it.
  enum class timer_change : std::uint8_t { keep, arm, cancel } timer = timer_change::keep;
  bool close_completed = false;
  /// The session is over: fail every send, ping and close still pending (see send_failure(),
  /// error()), deliver the receive error, forget the stream.
  bool finished = false;

  bool operator==(const actions&) const = default;
};

struct session_config {
  role local_role = role::client;
  reader_limits limits;
  /// Outgoing messages above this many payload bytes are fragmented; 0 = never.
  std::size_t max_send_frame_size = 0;
  /// After our close, unread messages may hold this many bytes before more are dropped
  /// (the window stays open so the peer's close cannot get stuck behind unread data).
  std::size_t unread_after_close = 4 * 1024 * 1024;
  /// Our close .. the peer's close or the stream's end; the peer's close .. our answer. 0 = none.
  std::chrono::nanoseconds close_timeout = std::chrono::seconds(5);
  /// Test hook (the scripted conformance server): no RFC 6455 framing, the bytes as they come.
  bool raw = false;
  /// Human-readable notes (close frames, violations); may be null.
  const std::function<void(std::string_view)>* trace = nullptr;
  /// Also a note per frame sent and message received, with sizes (a debug log, -v).
  bool trace_frames = true;
};

/// One frame of a session's output. At namespace scope: nested in the session, with its
/// default member initializers, Clang does not count it default-constructible where the
/// session's members are declared (std::optional's emplace() then fails to compile).
struct out_frame {
  std::array<std::uint8_t, max_frame_header_size> header{};
  std::uint8_t header_size = 0;
  std::string payload;  // masked already on the client side
  std::size_t size() const { return header_size + payload.size(); }
};

class session final : private reader_sink {
 public:
  /// `masks` gives each client frame its key (unused by a server); it must outlive the
  /// session. Null: the generator of the thread that queues the frame.
  session(const session_config& config, mask_generator* masks);
  /// The same, sharing `config` with other sessions (a connection's websockets share one).
  session(std::shared_ptr<const session_config> config, mask_generator* masks);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Test hook (the scripted conformance server): no RFC 6455 framing from now on.
  void use_raw_bytes() noexcept { raw_ = true; }
  /// permessage-deflate was negotiated with `params`.
  void enable_deflate(const deflate_params& params, int mem_level = 8, int level = -1);

  // --- Events from the byte stream ---
  /// Bytes of the peer's stream (DATA, or what the socket read).
  void on_bytes(std::span<const std::uint8_t> bytes);
  /// The peer ended its half (END_STREAM, or EOF on HTTP/1.1).
  void on_end_stream();
  /// The stream is over: closed with `http2_error_code` (0 = cleanly).
  void on_stream_closed(std::uint32_t http2_error_code);
  /// The connection under the stream failed with `ec`.
  void on_connection_failed(boost::system::error_code ec);
  /// The timer armed by an earlier action expired.
  void on_timer();

  // --- Requests of the application ---
  /// Queues one message. On success returns the output position (bytes_taken()) at which it
  /// is handed over in full; otherwise the error the send completes with.
  boost::system::error_code send(message&& m, std::uint64_t& done_at);
  /// Starts the close handshake (or answers the peer's). nullopt: complete when
  /// `close_completed` comes; otherwise complete at once with the value.
  std::optional<boost::system::error_code> close(std::uint16_t code, std::string_view reason);
  /// Sends a ping. nullopt: complete when a matching pong comes (`pongs`), or with error()
  /// when the session finishes; otherwise complete at once with the value.
  std::optional<boost::system::error_code> ping(std::string payload);
  /// A ping with no payload on an idle open websocket (keepalive; nobody waits for its pong).
  void keepalive();
  /// Server stop: close with 1001.
  void going_away();
  /// Nobody holds the websocket any more: reset the stream unless a close is under way.
  void abandon();
  /// Test hook: END_STREAM without a close frame.
  void end_stream_now();

  // --- Delivery ---
  /// The application asks for a message (a receive() was started).
  void on_receive_requested();
  bool has_message() const noexcept { return !inbox_.empty(); }
  std::size_t message_count() const noexcept { return inbox_.size(); }
  /// Takes the oldest received message; the application then holds it until the next
  /// on_receive_requested().
  message take_message();
  /// take_message() into `into` until it holds `max` or none is left; `into`, if it has
  /// no storage, gets the thread's spare storage first.
  void take_messages(std::vector<message>& into, std::size_t max);
  /// What a receive() gets once no message is left; empty while the websocket can still
  /// receive.
  boost::system::error_code error() const noexcept { return receive_error_; }
  /// What every pending send fails with once the session finishes.
  boost::system::error_code send_failure() const noexcept;

  // --- Output (the stream's data source) ---
  /// Bytes queued and not yet taken.
  std::size_t output_size() const noexcept { return out_bytes_; }
  /// Our half ends once the queued output is taken.
  bool output_ends() const noexcept { return end_after_output_; }
  /// Copies the next `n` (at most output_size()) bytes to `to`; returns how many.
  std::size_t take_output(std::uint8_t* to, std::size_t n);
  /// Appends the next `n` (at most output_size()) bytes to `to`; returns how many.
  std::size_t take_output(byte_buffer& to, std::size_t n);
  /// Bytes ever taken: sends whose done_at is at most this are complete.
  std::uint64_t bytes_taken() const noexcept { return taken_total_; }

  /// What the driver must do since the last call.
  actions take_actions() noexcept {
    has_actions_ = false;
    return std::exchange(actions_, actions{});
  }
  /// Whether take_actions() may ask for anything (an event touched the actions; checking
  /// every field instead cost ~40 instructions per message).
  bool has_actions() const noexcept { return has_actions_; }

  close_state state() const noexcept { return state_; }
  timer_purpose timer() const noexcept { return timer_; }
  bool is_open() const noexcept { return state_ == close_state::open && !receive_error_; }
  std::uint16_t peer_close_code() const noexcept { return peer_close_code_; }
  const std::string& peer_close_reason() const noexcept { return peer_close_reason_; }
  std::uint32_t reset_code() const noexcept { return reset_code_; }
  /// Bytes received and not yet given back as window.
  std::size_t unacknowledged() const noexcept { return unacknowledged_; }

 private:
  // What the reader parsed, handed over as it is parsed (reader_sink).
  void on_message(message_event& m) override;
  void on_ping(std::string& payload) override;
  void on_pong(std::string& payload) override;
  void on_close(close_event& c) override;
  void violation(boost::system::error_code ec, std::uint16_t close_code);
  bool reply_to_close_if_ready();
  message pop_message();  // the oldest of the inbox, its bytes no longer counted there
  void queue_frame(opcode op, std::string&& payload, bool rsv1 = false, bool fin = true);
  void queue_close(std::uint16_t code, std::string_view reason);
  void queue_message(opcode op, std::string&& payload, bool compress = true);
  // A frame for `payload` at the end of the output; pushed() counts it once its header is in.
  out_frame& push(std::string&& payload);
  void pushed(const out_frame& frame);
  template <class Sink>
  std::size_t take(std::size_t n, Sink&& sink);
  void end_our_half();
  void arm(timer_purpose purpose);
  void cancel_timer();
  void acknowledge_if_drained();
  void finish(boost::system::error_code ec);
  void note(std::string_view line) const;
  bool tracing() const { return config_->trace_frames && config_->trace && *config_->trace; }

  std::shared_ptr<const session_config> config_;
  mask_generator* masks_;
  bool raw_;  // config_->raw, or use_raw_bytes() since
  close_state state_ = close_state::open;
  timer_purpose timer_ = timer_purpose::none;
  // The session's flags sit together (no padding hole after each).
  bool has_actions_ = false;        // set by act()
  bool end_after_output_ = false;   // our half ends once the output is taken
  bool app_holds_message_ = false;  // a message was taken; no receive request since
  actions actions_;
  actions& act() noexcept {
    has_actions_ = true;
    return actions_;
  }
  reader reader_;
  std::unique_ptr<deflater> deflater_;  // set when permessage-deflate is on
  std::unique_ptr<inflater> inflater_;

  // Output: frames in order; the driver takes bytes from the front.
  first_inline_fifo<out_frame> out_;  // one frame at a time takes no queue storage
  std::size_t out_front_offset_ = 0;  // into header, then payload, of out_.front()
  std::size_t out_bytes_ = 0;         // bytes in out_ not yet taken
  std::uint64_t queued_total_ = 0;    // bytes ever queued
  std::uint64_t taken_total_ = 0;     // bytes ever taken

  // Input.
  first_inline_fifo<message> inbox_;  // one message at a time takes no queue storage
  std::size_t inbox_bytes_ = 0;       // payload bytes held in inbox_
  std::size_t unacknowledged_ = 0;    // received bytes not yet given back as window
  boost::system::error_code receive_error_;
  boost::system::error_code send_error_;     // what a new send() fails with
  boost::system::error_code finished_with_;  // why the stream ended

  // Close handshake.
  std::uint16_t close_reply_code_ = 1005;  // what we echo once the application caught up
  std::uint16_t peer_close_code_ = 1006;
  std::uint32_t reset_code_ = 0;
  std::string peer_close_reason_;
  fifo<std::string> ping_payloads_;  // ours, awaiting their pongs
};

}  // namespace h2ws::ws
