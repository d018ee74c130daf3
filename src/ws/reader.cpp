#include "ws/reader.hpp"

#include "ws/close.hpp"
#include "ws/mask.hpp"
#include "ws/string_pool.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace h2ws::ws {

namespace {

bool is_known_opcode(std::uint8_t op) noexcept { return op <= 2 || (op >= 8 && op <= 10); }

// Network byte order, read as one load each (a loop of shifts cost ~25 instructions per frame).
template <class Uint>
Uint read_big_endian(const std::uint8_t* p) noexcept {
  Uint v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) return v;
  if constexpr (sizeof v == 2) return __builtin_bswap16(v);
  if constexpr (sizeof v == 4) return __builtin_bswap32(v);
  if constexpr (sizeof v == 8) return __builtin_bswap64(v);
}

}  // namespace

reader::reader(role local_role, reader_limits limits) : limits_(limits), role_(local_role) {}

bool reader::feed(std::span<const std::uint8_t> bytes) {
  if (events_head_ != 0) {
    // The caller left events untaken: drop the taken ones so the queue cannot creep.
    events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(events_head_));
    events_head_ = 0;
  }
  if (events_.capacity() == 0) vector_pool<event>::take(events_);
  queue_sink queue{events_};
  feed(bytes, queue);
  if (events_.empty()) vector_pool<event>::give(events_);  // nothing came: keep no storage
  return !error_;
}

bool reader::feed(std::span<const std::uint8_t> bytes, reader_sink& sink) {
  sink_ = &sink;
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  while (n != 0 && stage_ != stage::finished) {
    if (stage_ == stage::header) {
      read_header(p, n);
    } else {
      read_payload(p, n);
    }
  }
  sink_ = nullptr;
  return !error_;
}

std::optional<event> reader::next() {
  if (events_head_ == events_.size()) return std::nullopt;
  std::optional<event> e(std::move(events_[events_head_++]));
  if (events_head_ == events_.size()) {
    vector_pool<event>::give(events_);  // drained: the storage goes to the thread's pool
    events_head_ = 0;
  }
  return e;
}

std::uint16_t reader::close_code_for_error() const noexcept {
  if (!error_) return 0;
  if (error_ == error::message_too_big || error_ == error::frame_too_big) return 1009;
  if (error_ == error::invalid_utf8) return 1007;
  return 1002;
}

void reader::read_header(const std::uint8_t*& p, std::size_t& n) {
  if (header_have_ == 0 && n >= 2) {
    // The usual case: the input holds the header's start, often all of it. It is read in
    // place, and copied into header_ only when the rest comes in a later call.
    check_first_header_bytes(p);
    if (stage_ == stage::finished) return;
    if (n >= header_need_) {
      const std::size_t size = header_need_;
      finish_header(p);
      p += size;
      n -= size;
      return;
    }
    std::memcpy(header_.data(), p, n);
    header_have_ = static_cast<std::uint8_t>(n);  // n < header_need_ <= 14
    p += n;
    n = 0;
    return;
  }
  if (header_have_ < 2) {
    const std::size_t take = std::min<std::size_t>(2 - header_have_, n);
    std::memcpy(header_.data() + header_have_, p, take);
    header_have_ = static_cast<std::uint8_t>(header_have_ + take);
    p += take;
    n -= take;
    if (header_have_ < 2) return;
    check_first_header_bytes(header_.data());
    if (stage_ == stage::finished) return;
  }
  const std::size_t take = std::min<std::size_t>(header_need_ - header_have_, n);
  std::memcpy(header_.data() + header_have_, p, take);
  header_have_ = static_cast<std::uint8_t>(header_have_ + take);
  p += take;
  n -= take;
  if (header_have_ == header_need_) finish_header(header_.data());
}

// Everything decidable from the first two bytes is checked here, before the rest of the header
// arrives, so a broken peer is cut off as early as possible.
void reader::check_first_header_bytes(const std::uint8_t* h) {
  const std::uint8_t b0 = h[0];
  const std::uint8_t b1 = h[1];
  const std::uint8_t op = b0 & 0x0F;
  if (!is_known_opcode(op)) return fail(error::bad_opcode);
  frame_opcode_ = static_cast<opcode>(op);
  frame_fin_ = (b0 & 0x80) != 0;
  frame_rsv1_ = (b0 & 0x40) != 0;
  frame_masked_ = (b1 & 0x80) != 0;
  const std::uint8_t length7 = b1 & 0x7F;

  // RSV2 and RSV3 belong to no extension we negotiate. RSV1 is permessage-deflate's "this
  // message is compressed" bit (RFC 7692 section 6): only on the first frame of a data message.
  if ((b0 & 0x30) != 0) return fail(error::bad_reserved_bits);
  const bool starts_message = frame_opcode_ == opcode::text || frame_opcode_ == opcode::binary;
  if (frame_rsv1_ && !(limits_.allow_rsv1 && starts_message)) {
    return fail(error::bad_reserved_bits);
  }

  // RFC 6455 section 5.1: clients mask, servers do not, and the receiver must fail otherwise.
  if (role_ == role::client && frame_masked_) return fail(error::masked_frame);
  if (role_ == role::server && !frame_masked_) return fail(error::unmasked_frame);

  if (is_control(frame_opcode_)) {
    // A 7-bit length of 126 or 127 announces an extended length, hence more than 125 bytes.
    if (!frame_fin_ || length7 > max_control_payload) return fail(error::bad_control_frame);
  } else if (frame_opcode_ == opcode::continuation) {
    if (!in_message_) return fail(error::bad_continuation);
  } else if (in_message_) {
    return fail(error::bad_data_frame);
  }

  header_need_ = static_cast<std::uint8_t>(2 +
                                           (length7 == 126   ? 2
                                            : length7 == 127 ? 8
                                                             : 0) +
                                           (frame_masked_ ? 4 : 0));
}

void reader::finish_header(const std::uint8_t* h) {
  const std::uint8_t length7 = h[1] & 0x7F;
  std::size_t at = 2;
  std::uint64_t length = length7;
  if (length7 == 126) {
    length = read_big_endian<std::uint16_t>(h + at);
    at += 2;
  } else if (length7 == 127) {
    length = read_big_endian<std::uint64_t>(h + at);
    at += 8;
    if ((length >> 63) != 0) return fail(error::bad_frame_length);
  }
  // Non-minimal length encodings (e.g. 5 in the 16-bit form) are accepted: the minimal form is
  // a sender requirement and a longer form changes nothing about what is received.
  if (frame_masked_) mask_key_ = read_big_endian<std::uint32_t>(h + at);

  // Size limits are enforced from the announced length, before any payload byte is buffered,
  // so a peer cannot make us hold more than the limit.
  if (limits_.max_frame_size != 0 && length > limits_.max_frame_size) {
    return fail(error::frame_too_big);
  }
  if (!is_control(frame_opcode_) && limits_.max_message_size != 0) {
    const std::uint64_t so_far = frame_opcode_ == opcode::continuation ? message_.size() : 0;
    // so_far <= max_message_size always holds, since every earlier frame passed this check.
    if (length > limits_.max_message_size - so_far) return fail(error::message_too_big);
  }

  if (frame_opcode_ == opcode::text || frame_opcode_ == opcode::binary) {
    in_message_ = true;
    message_binary_ = frame_opcode_ == opcode::binary;
    message_compressed_ = frame_rsv1_;
    // Compressed text can only be checked after inflating, which a later layer does.
    check_utf8_ = !message_binary_ && !message_compressed_;
    utf8_.reset();
    message_.clear();
    // A spare's storage rather than a new allocation (reserve() below grows it if short).
    if (length > message_.capacity()) string_pool::take(message_);
  }

  // One allocation for a frame rather than doubling (and copying) as it arrives. Capped:
  // a peer that announces a large frame and sends little must not make us hold much (on
  // every stream at once); larger frames grow from there as their bytes arrive. Pages of
  // a large reservation that no byte reached are not resident (malloc maps them lazily).
  constexpr std::uint64_t reserve_cap = 1024 * 1024;
  if (!is_control(frame_opcode_) && length > 0) {
    const auto wanted = message_.size() + static_cast<std::size_t>(std::min(length, reserve_cap));
    if (wanted > message_.capacity())
      message_.reserve(wanted);  // reserve() is a call even when it has room
  }
  // A control frame is at most 125 bytes: reserved at the first one (an idle websocket that
  // never sees one holds nothing), so later control frames do not allocate here.
  if (is_control(frame_opcode_) && length > 0) control_.reserve(max_control_payload);

  frame_remaining_ = length;
  frame_offset_ = 0;
  header_have_ = 0;
  header_need_ = 2;
  stage_ = stage::payload;
  if (length == 0) end_frame();
}

void reader::read_payload(const std::uint8_t*& p, std::size_t& n) {
  const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(frame_remaining_, n));
  std::string& target = is_control(frame_opcode_) ? control_ : message_;
  const std::size_t at = target.size();
  target.append(reinterpret_cast<const char*>(p), take);
  const std::span chunk(reinterpret_cast<std::uint8_t*>(target.data()) + at, take);
  if (frame_masked_) apply_mask(chunk, mask_key_, static_cast<std::size_t>(frame_offset_ % 4));
  p += take;
  n -= take;
  frame_offset_ += take;
  frame_remaining_ -= take;
  // Checked per chunk, not per frame: invalid text fails as soon as the bad byte arrives.
  if (check_utf8_ && !is_control(frame_opcode_) && !utf8_.feed(chunk)) {
    return fail(error::invalid_utf8);
  }
  if (frame_remaining_ == 0) end_frame();
}

void reader::end_frame() {
  stage_ = stage::header;
  switch (frame_opcode_) {
    case opcode::ping:
      sink_->on_ping(control_);
      control_.clear();
      return;
    case opcode::pong:
      sink_->on_pong(control_);
      control_.clear();
      return;
    case opcode::close:
      return end_close_frame();
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
      if (!frame_fin_) return;
      // The text may stop in the middle of a character only if more fragments follow.
      if (check_utf8_ && !utf8_.complete()) return fail(error::invalid_utf8);
      in_message_ = false;
      {
        message_event m{message_binary_, std::move(message_), message_compressed_};
        message_.clear();  // moved-from: make it empty for certain
        sink_->on_message(m);
      }
      return;
  }
}

void reader::end_close_frame() {
  close_event close;
  if (control_.size() == 1) return fail(error::bad_close_frame);
  if (control_.size() >= 2) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(control_.data());
    close.code = static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
    if (!is_valid_close_code(close.code)) return fail(error::bad_close_frame);
    if (!is_valid_utf8({bytes + 2, control_.size() - 2})) return fail(error::invalid_utf8);
    close.reason.assign(control_, 2);
  }
  close_received_ = true;
  stage_ = stage::finished;
  // Nothing follows a close frame: a fragmented message still open will never complete.
  message_ = std::string();
  control_.clear();
  sink_->on_close(close);
}

void reader::recycle(std::string&& s) noexcept { string_pool::give(std::move(s)); }

void reader::fail(h2ws::error e) {
  if (!error_) error_ = make_error_code(e);
  stage_ = stage::finished;
  message_ = std::string();  // release the partial message: it will never be delivered
  control_.clear();
}

}  // namespace h2ws::ws
