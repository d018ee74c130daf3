// fuzz_reader: the RFC 6455 reader (frames -> messages and control frames), fed the peer's bytes
// in pieces the input chooses, plus the writer through a re-encoding round trip and, with
// permessage-deflate on, the inflater on the compressed messages and a deflate round trip.
//
// Input: see chunked_input.hpp. Config byte:
//   bit 0     our role: 0 = client (frames must be unmasked), 1 = server (frames must be masked)
//   bits 1-2  limits: 0 = defaults (64 MiB message, no frame limit), 1 = 64-byte messages,
//             2 = 16-byte frames in 1 KiB messages, 3 = no message limit and 125-byte frames
//   bit 3     allow_rsv1 (permessage-deflate negotiated)
//   bits 4-5  how events are taken: 0 = all after each piece, 1 = one per piece (the queue
//             grows and feed() compacts it), 2-3 = none until the end
//   bits 6-7  fragment size of the round trip: 0 = one frame per message, 1, 7 or 200 bytes
// Extra nibble: bit 0 = an empty feed() before every piece; bit 1 = no_context_takeover (both
// directions); bits 2-3 = window bits of both directions: 15, 12, 9 or 8.
//
// Invariants checked, beyond "no sanitizer report":
//   - feed() returns !error(); after an error or a close frame, no event is produced any more;
//     error and close never both happen; a close event is the last event;
//   - close_code_for_error() is 0 without error, else 1002, 1007 or 1009;
//   - text messages are valid UTF-8 (is_valid_utf8), control payloads <= 125 bytes, close codes
//     sendable, close reasons UTF-8 <= 123 bytes, sizes within the limits, buffered_bytes()
//     bounded by the limits;
//   - the same events and the same error whatever the pieces (compared with one feed() of all);
//   - the events re-encoded by the writer (fragmented, masked as the role requires) parse back
//     to the same events without error; frame_header_size() agrees with write_frame_header();
//   - a header for any 63-bit length (the first 8 stream bytes) has the minimal size and is
//     accepted by a reader without limits; text messages sent back as close reasons are cut to
//     <= 123 bytes on a character boundary and parse back as that prefix;
//   - with allow_rsv1: the compressed messages, inflated in order by one inflater, either give
//     at most max_message_size bytes or fail with message_too_big / inflate_failed, leaving the
//     output as it was, and every later call fails the same; every message deflated by the
//     peer's deflater inflates back to itself.
#include "check.hpp"
#include "chunked_input.hpp"
#include "ws/close.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/reader.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/writer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace h2ws;

struct setup {
  ws::role role = ws::role::client;
  ws::reader_limits limits;
  int drain = 0;               // bits 4-5, see above
  bool empty_feeds = false;    // extra bit 0
  ws::deflate_params deflate;  // extra bits 1-3
  std::size_t fragment = 0;    // round trip fragment size; 0 = whole messages
};

setup setup_from(std::uint8_t config, std::uint8_t extra) {
  setup s;
  s.empty_feeds = (extra & 1) != 0;
  s.deflate.server_no_context_takeover = s.deflate.client_no_context_takeover = (extra & 2) != 0;
  static constexpr std::array<int, 4> window_bits = {15, 12, 9, 8};
  s.deflate.server_max_window_bits = s.deflate.client_max_window_bits = window_bits[extra >> 2];
  s.role = (config & 1) ? ws::role::server : ws::role::client;
  switch ((config >> 1) & 3) {
    case 0:
      break;
    case 1:
      s.limits.max_message_size = 64;
      break;
    case 2:
      s.limits.max_message_size = 1024;
      s.limits.max_frame_size = 16;
      break;
    default:
      s.limits.max_message_size = 0;
      s.limits.max_frame_size = 125;
      break;
  }
  s.limits.allow_rsv1 = (config & 8) != 0;
  s.drain = (config >> 4) & 3;
  static constexpr std::array<std::size_t, 4> fragments = {0, 1, 7, 200};
  s.fragment = fragments[(config >> 6) & 3];
  return s;
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void check_event(const ws::event& e, const setup& s) {
  const auto& limits = s.limits;
  if (const auto* m = std::get_if<ws::message_event>(&e)) {
    if (!m->binary && !m->compressed) H2WS_FUZZ_CHECK(ws::is_valid_utf8(bytes_of(m->payload)));
    if (m->compressed) H2WS_FUZZ_CHECK(limits.allow_rsv1);
    if (limits.max_message_size != 0) H2WS_FUZZ_CHECK(m->payload.size() <= limits.max_message_size);
  } else if (const auto* c = std::get_if<ws::close_event>(&e)) {
    if (c->code == 1005)
      H2WS_FUZZ_CHECK(c->reason.empty());
    else
      H2WS_FUZZ_CHECK(ws::is_valid_close_code(c->code));
    H2WS_FUZZ_CHECK(c->reason.size() <= ws::max_close_reason);
    H2WS_FUZZ_CHECK(ws::is_valid_utf8(bytes_of(c->reason)));
  } else {
    const std::string& payload = std::holds_alternative<ws::ping_event>(e)
                                     ? std::get<ws::ping_event>(e).payload
                                     : std::get<ws::pong_event>(e).payload;
    H2WS_FUZZ_CHECK(payload.size() <= ws::max_control_payload);
    if (limits.max_frame_size != 0) H2WS_FUZZ_CHECK(payload.size() <= limits.max_frame_size);
  }
}

struct outcome {
  std::vector<ws::event> events;
  boost::system::error_code error;
  bool close_received = false;
};

// Feeds `pieces` to a fresh reader, taking events as `s.drain` says, checking as it goes.
outcome run(const std::vector<std::span<const std::uint8_t>>& pieces, const setup& s,
            const ws::reader_limits& limits) {
  ws::reader reader(s.role, limits);
  outcome out;
  auto take = [&](std::size_t max) {
    for (std::size_t i = 0; i < max; ++i) {
      auto e = reader.next();
      if (!e) break;
      check_event(*e, s);
      out.events.push_back(std::move(*e));
    }
  };
  bool finished = false;  // an error or a close was seen and everything before it taken
  for (auto piece : pieces) {
    if (s.empty_feeds) H2WS_FUZZ_CHECK(reader.feed({}) == !reader.error());
    const bool ok = reader.feed(piece);
    H2WS_FUZZ_CHECK(ok == !reader.error());
    if (finished) {
      // Nothing more may come out once the reader stopped.
      H2WS_FUZZ_CHECK(!reader.next());
      continue;
    }
    if (limits.max_message_size != 0)
      H2WS_FUZZ_CHECK(reader.buffered_bytes() <= limits.max_message_size + ws::max_control_payload);
    if (reader.error() || reader.close_received()) {
      take(std::numeric_limits<std::size_t>::max());
      finished = true;
      continue;
    }
    if (s.drain == 0)
      take(std::numeric_limits<std::size_t>::max());
    else if (s.drain == 1)
      take(1);
  }
  take(std::numeric_limits<std::size_t>::max());
  H2WS_FUZZ_CHECK(!reader.next());

  out.error = reader.error();
  out.close_received = reader.close_received();
  const auto code = reader.close_code_for_error();
  if (out.error)
    H2WS_FUZZ_CHECK(code == 1002 || code == 1007 || code == 1009);
  else
    H2WS_FUZZ_CHECK(code == 0);
  H2WS_FUZZ_CHECK(!(out.error && out.close_received));
  for (std::size_t i = 0; i < out.events.size(); ++i) {
    const bool is_close = std::holds_alternative<ws::close_event>(out.events[i]);
    // A close event comes last, and only when the reader says a close was received.
    H2WS_FUZZ_CHECK(is_close == (out.close_received && i + 1 == out.events.size()));
  }
  return out;
}

void append_frame(std::vector<std::uint8_t>& wire, ws::opcode op, bool fin,
                  std::span<const std::uint8_t> payload, std::optional<std::uint32_t> key,
                  bool rsv1) {
  std::array<std::uint8_t, ws::max_frame_header_size> header{};
  H2WS_FUZZ_CHECK(ws::write_frame_header(header.data(), op, fin, payload.size(), key, rsv1) ==
                  ws::frame_header_size(payload.size(), key.has_value()));
  ws::write_frame(wire, op, fin, payload, key, rsv1);
}

// H2WS_FUZZ_NULL_REASON=1: empty close reasons go to the writer as std::string_view{}.
const bool null_reasons = std::getenv("H2WS_FUZZ_NULL_REASON") != nullptr;

// Re-encodes `events` as the peer would send them.
std::vector<std::uint8_t> encode(const std::vector<ws::event>& events, const setup& s) {
  std::vector<std::uint8_t> wire;
  std::uint32_t counter = 0x9e3779b9u;
  auto key = [&]() -> std::optional<std::uint32_t> {
    if (s.role == ws::role::client) return std::nullopt;  // a server does not mask
    counter = counter * 1664525u + 1013904223u;
    return counter;
  };
  for (const auto& e : events) {
    if (const auto* m = std::get_if<ws::message_event>(&e)) {
      const auto op = m->binary ? ws::opcode::binary : ws::opcode::text;
      auto payload = bytes_of(m->payload);
      if (s.fragment == 0 || payload.size() <= s.fragment) {
        append_frame(wire, op, true, payload, key(), m->compressed);
        continue;
      }
      for (std::size_t at = 0; at < payload.size(); at += s.fragment) {
        auto part = payload.subspan(at, std::min(s.fragment, payload.size() - at));
        const bool first = at == 0;
        append_frame(wire, first ? op : ws::opcode::continuation,
                     at + part.size() == payload.size(), part, key(), first && m->compressed);
      }
    } else if (const auto* p = std::get_if<ws::ping_event>(&e)) {
      append_frame(wire, ws::opcode::ping, true, bytes_of(p->payload), key(), false);
    } else if (const auto* q = std::get_if<ws::pong_event>(&e)) {
      append_frame(wire, ws::opcode::pong, true, bytes_of(q->payload), key(), false);
    } else {
      const auto& c = std::get<ws::close_event>(e);
      // An empty std::string never has a null data(); a default-constructed string_view does,
      // and write_close_frame() memcpy()s from it (UB, see README "Results"): opt-in until fixed.
      std::string_view reason = c.reason;
      if (null_reasons && reason.empty()) reason = {};
      ws::write_close_frame(wire, c.code, reason, key());
    }
  }
  return wire;
}

// write_frame_header() for lengths no fuzz input is long enough to carry (the 64-bit form).
void check_header(std::span<const std::uint8_t> stream, const setup& s) {
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(8, stream.size()); ++i)
    size = size << 8 | stream[i];
  size &= ~(std::uint64_t{1} << 63);
  std::optional<std::uint32_t> key;
  if (s.role == ws::role::server) key = 0xa5a5a5a5u;
  std::array<std::uint8_t, ws::max_frame_header_size> header{};
  const std::size_t n = ws::write_frame_header(header.data(), ws::opcode::binary, true, size, key);
  const std::size_t minimal = 2 + (size > 0xFFFF ? 8 : size > 125 ? 2 : 0) + (key ? 4 : 0);
  H2WS_FUZZ_CHECK(n == minimal);
  H2WS_FUZZ_CHECK(n == ws::frame_header_size(size, key.has_value()));
  // No limit up to 1 MiB (so the whole header is accepted); above, a 1-byte limit, which only
  // a correctly decoded length can exceed. (Also keeps the reader from reserving the announced
  // size, up to 64 MiB, on every run: see README, "Results".)
  const bool small = size <= (1u << 20);
  ws::reader reader(s.role, ws::reader_limits{.max_message_size = small ? 0u : 1u});
  if (!small) {
    H2WS_FUZZ_CHECK(!reader.feed({header.data(), n}));
    H2WS_FUZZ_CHECK(reader.error() == h2ws::error::message_too_big);
    return;
  }
  H2WS_FUZZ_CHECK(reader.feed({header.data(), n}));
  auto e = reader.next();
  H2WS_FUZZ_CHECK(e.has_value() == (size == 0));  // an empty message is complete at once
  H2WS_FUZZ_CHECK(reader.buffered_bytes() == 0);
}

// write_close_frame() with reasons longer than a control frame holds: close_reason_fit().
void check_long_reasons(const std::vector<ws::event>& events, const setup& s) {
  for (const auto& e : events) {
    const auto* m = std::get_if<ws::message_event>(&e);
    if (!m || m->binary || m->compressed) continue;  // valid UTF-8 only
    std::vector<std::uint8_t> wire;
    std::optional<std::uint32_t> key;
    if (s.role == ws::role::server) key = 0x01020304u;
    ws::write_close_frame(wire, 1000, m->payload, key);
    ws::reader reader(s.role);
    H2WS_FUZZ_CHECK(reader.feed(wire));
    auto close = reader.next();
    H2WS_FUZZ_CHECK(close && std::holds_alternative<ws::close_event>(*close));
    const auto& c = std::get<ws::close_event>(*close);
    H2WS_FUZZ_CHECK(c.code == 1000);
    H2WS_FUZZ_CHECK(c.reason.size() <= ws::max_close_reason);
    // At most a partial 4-byte character (3 bytes) is dropped.
    H2WS_FUZZ_CHECK(c.reason.size() + 3 >= std::min(m->payload.size(), ws::max_close_reason));
    H2WS_FUZZ_CHECK(m->payload.compare(0, c.reason.size(), c.reason) == 0);
  }
}

// The inflater on what the reader delivered with RSV1, then a deflater -> inflater round trip.
void check_inflate(const std::vector<ws::event>& events, const setup& s) {
  const std::size_t max = s.limits.max_message_size;
  ws::inflater inflater(s.role, s.deflate);
  boost::system::error_code failed;
  for (const auto& e : events) {
    const auto* m = std::get_if<ws::message_event>(&e);
    if (!m || !m->compressed) continue;
    std::string out = "kept";  // what the caller had before must survive an error
    const auto ec = inflater.decompress(bytes_of(m->payload), max, out);
    if (failed) {
      H2WS_FUZZ_CHECK(ec == failed);  // failed for good
    } else if (ec) {
      H2WS_FUZZ_CHECK(ec == h2ws::error::message_too_big || ec == h2ws::error::inflate_failed);
      failed = ec;
    }
    if (ec)
      H2WS_FUZZ_CHECK(out == "kept");
    else if (max != 0)
      H2WS_FUZZ_CHECK(out.size() - 4 <= max);
  }

  // What the peer would send: compressed by its deflater, inflated by ours.
  const ws::role peer = s.role == ws::role::client ? ws::role::server : ws::role::client;
  ws::deflater deflater(peer, s.deflate);
  ws::inflater receiver(s.role, s.deflate);
  for (const auto& e : events) {
    const auto* m = std::get_if<ws::message_event>(&e);
    if (!m) continue;
    std::vector<std::uint8_t> compressed;
    deflater.compress(bytes_of(m->payload), compressed);
    std::string back;
    H2WS_FUZZ_CHECK(!receiver.decompress(compressed, 0, back));
    H2WS_FUZZ_CHECK(back == m->payload);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const h2ws::fuzz::chunked_input input(data, size);
  const setup s = setup_from(input.config(), input.extra());

  const outcome chunked = run(input.pieces(), s, s.limits);

  // Where the reads end must not change what is parsed.
  std::vector<std::span<const std::uint8_t>> whole;
  if (!input.stream().empty()) whole.push_back(input.stream());
  const outcome at_once = run(whole, s, s.limits);
  H2WS_FUZZ_CHECK(chunked.error == at_once.error);
  H2WS_FUZZ_CHECK(chunked.close_received == at_once.close_received);
  H2WS_FUZZ_CHECK(chunked.events == at_once.events);

  // What was accepted, written back by the writer, parses to the same thing. Frame limits do
  // not apply: re-fragmenting may legitimately make frames larger.
  ws::reader_limits relaxed = s.limits;
  relaxed.max_frame_size = 0;
  const auto wire = encode(chunked.events, s);
  std::vector<std::span<const std::uint8_t>> reencoded;
  if (!wire.empty()) reencoded.push_back(wire);
  const outcome round_trip = run(reencoded, s, relaxed);
  H2WS_FUZZ_CHECK(!round_trip.error);
  H2WS_FUZZ_CHECK(round_trip.events == chunked.events);

  check_header(input.stream(), s);
  check_long_reasons(chunked.events, s);
  if (s.limits.allow_rsv1) check_inflate(chunked.events, s);
  return 0;
}
