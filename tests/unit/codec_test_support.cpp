#include "codec_test_support.hpp"

#include <iomanip>
#include <span>

#include <gtest/gtest.h>

namespace h2ws::ws {

namespace {

void print_payload(const std::string& s, std::ostream* os) {
  // Long payloads are summarised: a 1 MiB dump helps nobody.
  constexpr std::size_t shown = 64;
  *os << s.size() << " bytes \"";
  for (std::size_t i = 0; i < s.size() && i < shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      *os << static_cast<char>(c);
    } else {
      *os << "\\x" << std::hex << std::setw(2) << std::setfill('0') << int{c} << std::dec;
    }
  }
  *os << (s.size() > shown ? "\"..." : "\"");
}

}  // namespace

void PrintTo(const message_event& e, std::ostream* os) {
  *os << (e.binary ? "binary" : "text") << (e.compressed ? "(compressed) " : " ");
  print_payload(e.payload, os);
}
void PrintTo(const ping_event& e, std::ostream* os) {
  *os << "ping ";
  print_payload(e.payload, os);
}
void PrintTo(const pong_event& e, std::ostream* os) {
  *os << "pong ";
  print_payload(e.payload, os);
}
void PrintTo(const close_event& e, std::ostream* os) {
  *os << "close " << e.code << ' ';
  print_payload(e.reason, os);
}

}  // namespace h2ws::ws

namespace h2ws::ws::test {

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

bytes encode(const raw_frame& f) {
  bytes out;
  out.push_back(static_cast<std::uint8_t>((f.fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) |
                                          (f.rsv2 ? 0x20 : 0) | (f.rsv3 ? 0x10 : 0) |
                                          (f.opcode & 0x0F)));
  const std::uint64_t length = f.declared_length.value_or(f.payload.size());
  int bits = f.length_bits;
  if (bits == 0) bits = length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64;
  const std::uint8_t mask_bit = f.mask ? 0x80 : 0;
  if (bits == 7) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | length));
  } else if (bits == 16) {
    out.push_back(mask_bit | 126);
    for (int shift = 8; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(length >> shift));
  } else {
    out.push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(length >> shift));
  }
  std::uint8_t key[4] = {};
  if (f.mask) {
    for (int i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(*f.mask >> (24 - 8 * i));
    out.insert(out.end(), key, key + 4);
  }
  for (std::size_t i = 0; i < f.payload.size(); ++i) {
    out.push_back(static_cast<std::uint8_t>(f.payload[i]) ^ (f.mask ? key[i % 4] : 0));
  }
  return out;
}

bytes server_frame(opcode op, std::string_view payload, bool fin) {
  return encode(
      {.opcode = static_cast<std::uint8_t>(op), .payload = std::string(payload), .fin = fin});
}

bytes client_frame(opcode op, std::string_view payload, bool fin, std::uint32_t key) {
  return encode({.opcode = static_cast<std::uint8_t>(op),
                 .payload = std::string(payload),
                 .fin = fin,
                 .mask = key});
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

void PrintTo(const parse_result& r, std::ostream* os) {
  *os << "{events: [";
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    *os << (i ? ", " : "") << ::testing::PrintToString(r.events[i]);
  }
  *os << "], error: " << (r.error ? r.error.message() : "none")
      << ", close_received: " << r.close_received << "}";
}

namespace {

parse_result drain(reader& rd, parse_result result) {
  while (auto e = rd.next()) result.events.push_back(std::move(*e));
  result.error = rd.error();
  result.close_received = rd.close_received();
  return result;
}

// Collects what a reader hands to its sink, as next() would have returned it.
class collecting_sink final : public reader_sink {
 public:
  std::vector<event> events;
  void on_message(message_event& m) override { events.emplace_back(std::move(m)); }
  void on_ping(std::string& payload) override { events.emplace_back(ping_event{payload}); }
  void on_pong(std::string& payload) override { events.emplace_back(pong_event{payload}); }
  void on_close(close_event& c) override { events.emplace_back(std::move(c)); }
};

// Calls feed(piece, offset) for `input` cut in pieces of `chunk` bytes (0 = one piece), and
// checks that each feed's result says whether the reader failed.
template <class Feed>
void feed_in_chunks(const reader& rd, const bytes& input, std::size_t chunk, Feed&& feed) {
  const std::span<const std::uint8_t> all(input);
  if (chunk == 0) chunk = input.size() + 1;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const bool ok = feed(all.subspan(at, std::min(chunk, input.size() - at)), at, chunk);
    EXPECT_EQ(ok, !rd.error()) << "feed() must return false exactly when an error is set";
  }
}

}  // namespace

parse_result parse_with_sink(role r, const reader_limits& limits, const bytes& input,
                             std::size_t chunk) {
  reader rd(r, limits);
  collecting_sink sink;
  feed_in_chunks(rd, input, chunk,
                 [&](std::span<const std::uint8_t> piece, std::size_t, std::size_t) {
                   return rd.feed(piece, sink);
                 });
  EXPECT_FALSE(rd.next()) << "events handed to a sink are not queued as well";
  return {std::move(sink.events), rd.error(), rd.close_received()};
}

parse_result parse_chunked(role r, const reader_limits& limits, const bytes& input,
                           std::size_t chunk) {
  reader rd(r, limits);
  parse_result result;
  feed_in_chunks(rd, input, chunk,
                 [&](std::span<const std::uint8_t> piece, std::size_t at, std::size_t step) {
                   const bool ok = rd.feed(piece);
                   // Drain as we go, as the websocket layer will, so the queue compaction
                   // path runs too.
                   if (at % (3 * step) == 0) result = drain(rd, std::move(result));
                   return ok;
                 });
  return drain(rd, std::move(result));
}

parse_result parse_split(role r, const reader_limits& limits, const bytes& input, std::size_t at) {
  reader rd(r, limits);
  const std::span<const std::uint8_t> all(input);
  rd.feed(all.first(at));
  rd.feed(all.subspan(at));
  return drain(rd, {});
}

parse_result parse_everywhere(role r, const bytes& input, const reader_limits& limits) {
  const parse_result whole = parse_chunked(r, limits, input);
  EXPECT_EQ(parse_chunked(r, limits, input, 1), whole) << "fed one byte at a time";
  EXPECT_EQ(parse_chunked(r, limits, input, 7), whole) << "fed seven bytes at a time";
  EXPECT_EQ(parse_with_sink(r, limits, input), whole) << "handed to a sink, fed at once";
  EXPECT_EQ(parse_with_sink(r, limits, input, 1), whole) << "handed to a sink, byte by byte";
  if (input.size() <= max_split_input) {
    for (std::size_t at = 0; at <= input.size(); ++at) {
      // Stop at the first bad cut so a broken reader does not print thousands of failures.
      const parse_result split = parse_split(r, limits, input, at);
      if (split != whole) {
        ADD_FAILURE() << "cut before byte " << at << ": " << ::testing::PrintToString(split)
                      << "\nexpected " << ::testing::PrintToString(whole);
        break;
      }
    }
  }
  return whole;
}

event text(std::string_view s) { return message_event{false, std::string(s), false}; }
event binary(std::string_view s) { return message_event{true, std::string(s), false}; }

}  // namespace h2ws::ws::test
