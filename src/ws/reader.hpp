// Incremental RFC 6455 frame parser with message reassembly: bytes in, events out.
#pragma once

#include "ws/event.hpp"
#include "ws/frame.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/vector_pool.hpp"
#include <h2ws/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::ws {

/// Limits the reader enforces as frames arrive. A violation fails the reader with
/// `message_too_big` or `frame_too_big` (close code 1009).
struct reader_limits {
  std::size_t max_message_size = 64 * 1024 * 1024;  ///< Bytes on the wire per message (all
                                                    ///< fragments); 0 = unlimited.
  std::size_t max_frame_size = 0;  ///< Payload bytes per frame, control frames included;
                                   ///< 0 = only the message limit applies.
  bool allow_rsv1 = false;  ///< permessage-deflate was negotiated: RSV1 is allowed on the first
                            ///< frame of a data message and reported as `compressed`.
};

/// Takes the reader's events as they are parsed, instead of queueing them for next(): what
/// the session uses, so that a message goes from the bytes to its consumer without a queue.
class reader_sink {
 public:
  virtual void on_message(message_event& m) = 0;
  virtual void on_ping(std::string& payload) = 0;
  virtual void on_pong(std::string& payload) = 0;
  virtual void on_close(close_event& c) = 0;

 protected:
  ~reader_sink() = default;
};

/// Parses the byte stream of one websocket (as received from TCP or from an HTTP/2 stream's DATA)
/// into messages and control frames, enforcing every RFC 6455 framing rule, the masking rule for
/// `local_role`, UTF-8 validity of text and close reasons, and `reader_limits`.
///
/// Bytes may be fed in pieces cut anywhere, even inside a frame header. Payload is copied once,
/// from the fed span into the message being assembled, and unmasked there; between calls the
/// reader keeps only a partial header (at most 14 bytes), the message in progress and a partial
/// control frame. Control frames that arrive between the fragments of a message are delivered
/// as soon as they are complete, hence before that message.
///
/// The first violation stops the reader for good: `error()` says which rule broke and
/// `close_code_for_error()` which close code to send. After a close frame the reader also
/// stops. Events parsed before either stay available from `next()`.
///
/// Not thread safe; one reader per websocket.
class reader {
 public:
  /// `local_role` is the role of our side: a client reader requires unmasked frames, a server
  /// reader requires masked ones and unmasks them.
  explicit reader(role local_role, reader_limits limits = {});

  /// permessage-deflate was negotiated: RSV1 on a message's first frame is allowed
  /// (such messages arrive with `compressed` set).
  void allow_compressed() noexcept { limits_.allow_rsv1 = true; }

  /// Parses every complete frame in `bytes`, queueing the resulting events, and keeps the
  /// remainder for the next call. Returns false once `error()` is set (by this call or an
  /// earlier one). After an error or a close frame, further bytes are ignored.
  bool feed(std::span<const std::uint8_t> bytes);
  /// The same, handing each event to `sink` as it is parsed (inside this call; the sink
  /// may move the payload out) instead of queueing it for next().
  bool feed(std::span<const std::uint8_t> bytes, reader_sink& sink);

  /// The oldest event not yet taken, or nullopt when all parsed events have been taken.
  std::optional<event> next();

  /// The first violation found, as an `h2ws::error`; empty while the stream is valid. Sticky.
  boost::system::error_code error() const noexcept { return error_; }

  /// The close code to send for `error()`: 1009 for the size limits, 1007 for invalid UTF-8,
  /// 1002 for any other protocol violation; 0 when there is no error.
  std::uint16_t close_code_for_error() const noexcept;

  /// Whether a (valid) close frame was parsed; no more events will follow it.
  bool close_received() const noexcept { return close_received_; }

  /// Payload bytes held for the message being assembled plus a partial control frame, for
  /// memory accounting. Does not count events already queued for `next()`.
  std::size_t buffered_bytes() const noexcept { return message_.size() + control_.size(); }

  /// Offers the storage of a string that is no longer needed (the payload of a frame already
  /// sent, say) for a later message, so that a websocket echoing small messages does not
  /// allocate one per message. Its content is dropped. The spares are kept per thread
  /// (ws::string_pool), bounded, not per reader: an idle websocket holds none.
  void recycle(std::string&& s) noexcept;

 private:
  enum class stage : std::uint8_t {
    header,    // collecting the bytes of a frame header
    payload,   // copying the current frame's payload
    finished,  // after an error or a close frame: input is ignored
  };

  void read_header(const std::uint8_t*& p, std::size_t& n);
  // Both read the header from `h`: the input itself when it holds the whole header,
  // header_ when the header came in pieces.
  void check_first_header_bytes(const std::uint8_t* h);
  void finish_header(const std::uint8_t* h);
  void read_payload(const std::uint8_t*& p, std::size_t& n);
  void end_frame();
  void end_close_frame();
  void fail(h2ws::error e);

  // Wider members first, then the small ones together: no padding holes (a reader sits in
  // every websocket).
  reader_limits limits_;
  std::uint64_t frame_remaining_ = 0;  // payload bytes still to come
  std::uint64_t frame_offset_ = 0;     // payload bytes already read: the mask phase
  std::string message_;                // the data message being assembled
  std::string control_;                // payload of the control frame being read (<= 125 bytes)
  role role_;
  std::uint32_t mask_key_ = 0;  // of the frame whose payload is being read

  // Header bytes received so far for the current frame, and how many the header has in total
  // (known once its first two bytes are in).
  std::array<std::uint8_t, max_frame_header_size> header_{};
  std::uint8_t header_have_ = 0;
  std::uint8_t header_need_ = 2;
  stage stage_ = stage::header;

  // The frame whose payload is being read.
  opcode frame_opcode_ = opcode::continuation;
  bool frame_fin_ = false;
  bool frame_masked_ = false;
  bool frame_rsv1_ = false;

  // The data message being assembled. `in_message_` spans from its first frame's header to the
  // end of its final frame, so that a continuation or data frame can be checked against it.
  bool in_message_ = false;
  bool message_binary_ = false;
  bool message_compressed_ = false;
  bool check_utf8_ = false;  // text and not compressed
  utf8_validator utf8_;
  bool close_received_ = false;

  // Parsed events; [events_head_, size) are not taken yet. A vector with a read index (no
  // per-item reset as in fifo): drained, its storage goes back to the thread's pool, so
  // steady-state parsing does not allocate for it and an idle reader holds none.
  std::vector<event> events_;
  std::size_t events_head_ = 0;
  // Where parsed events go during a feed(): the caller's sink, or for feed(bytes) one that
  // queues them in events_ for next().
  reader_sink* sink_ = nullptr;
  struct queue_sink final : reader_sink {
    std::vector<event>& events;
    explicit queue_sink(std::vector<event>& e) : events(e) {}
    void on_message(message_event& m) override { events.emplace_back(std::move(m)); }
    void on_ping(std::string& payload) override { events.emplace_back(ping_event{payload}); }
    void on_pong(std::string& payload) override { events.emplace_back(pong_event{payload}); }
    void on_close(close_event& c) override { events.emplace_back(std::move(c)); }
  };

  boost::system::error_code error_;
};

}  // namespace h2ws::ws
