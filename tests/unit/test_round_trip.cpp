// writer -> reader round trips across sizes, roles, fragmentation and chunking.
#include "codec_test_support.hpp"
#include "ws/mask_generator.hpp"
#include "ws/writer.hpp"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Writes one message as a `sender` would (clients mask with fresh keys) in `fragments` frames.
bytes write_message(role sender, opcode op, const std::string& payload, std::size_t fragments,
                    mask_generator& keys) {
  bytes out;
  const std::size_t step = fragments ? (payload.size() + fragments - 1) / fragments : 0;
  std::size_t at = 0;
  bool first = true;
  do {
    const std::size_t n = std::min(step == 0 ? payload.size() : step, payload.size() - at);
    const bool fin = at + n == payload.size();
    const auto key = sender == role::client ? std::optional(keys.next()) : std::nullopt;
    write_frame(out, first ? op : opcode::continuation, fin,
                {reinterpret_cast<const std::uint8_t*>(payload.data()) + at, n}, key);
    at += n;
    first = false;
  } while (at < payload.size());
  return out;
}

constexpr std::size_t sizes[] = {0, 1, 125, 126, 65535, 65536, 1 << 20};

// Verifies that every size survives writer -> reader both ways, at once and in chunks.
TEST(RoundTrip, AllSizesBothDirections) {
  mask_generator keys;
  for (std::size_t size : sizes) {
    const std::string payload = pattern(size);
    for (role sender : {role::client, role::server}) {
      const role receiver = sender == role::client ? role::server : role::client;
      for (opcode op : {opcode::text, opcode::binary}) {
        const bytes wire = write_message(sender, op, payload, 1, keys);
        const event expected = message_event{op == opcode::binary, payload, false};
        for (std::size_t chunk : {std::size_t{0}, std::size_t{1000}, std::size_t{4093}}) {
          const auto r = parse_chunked(receiver, {}, wire, chunk);
          ASSERT_FALSE(r.error) << size << " chunk " << chunk;
          ASSERT_EQ(r.events, std::vector<event>{expected}) << size << " chunk " << chunk;
        }
      }
    }
  }
}

// Verifies that the small sizes also survive every split point and one-byte feeding.
TEST(RoundTrip, SmallSizesEverySplit) {
  mask_generator keys;
  for (std::size_t size : {0u, 1u, 125u, 126u, 1000u}) {
    const std::string payload = pattern(size);
    const auto r =
        parse_everywhere(role::server, write_message(role::client, opcode::text, payload, 1, keys));
    EXPECT_EQ(r.events, std::vector<event>{text(payload)}) << size;
  }
}

// Verifies that a 1 MiB message fed one byte at a time arrives intact.
TEST(RoundTrip, OneMebibyteOneByteAtATime) {
  mask_generator keys;
  const std::string payload = pattern(1 << 20);
  const auto r = parse_chunked(role::server, {},
                               write_message(role::client, opcode::binary, payload, 1, keys), 1);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.events, std::vector<event>{binary(payload)});
}

// Verifies that fragments, an interleaved ping and a close from the writer round-trip.
TEST(RoundTrip, FragmentedWithControlFrames) {
  mask_generator keys;
  const std::string payload = pattern(70000);
  bytes wire = write_message(role::client, opcode::text, payload, 7, keys);
  // Insert a ping after the first fragment: find its end from the header the writer produced.
  const std::size_t first_size = (70000 + 6) / 7;
  const std::size_t first_end = frame_header_size(first_size, true) + first_size;
  bytes ping;
  write_frame(ping, opcode::ping, true, to_bytes("are you there"), keys.next());
  wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(first_end), ping.begin(), ping.end());
  write_close_frame(wire, 1000, "done", keys.next());
  const auto r = parse_chunked(role::server, {}, wire, 333);
  ASSERT_FALSE(r.error);
  EXPECT_TRUE(r.close_received);
  EXPECT_EQ(r.events, (std::vector<event>{ping_event{"are you there"}, text(payload),
                                          close_event{1000, "done"}}));
}

// Verifies that write_close_frame's truncated reason is accepted by the reader.
TEST(RoundTrip, TruncatedCloseReasonStaysValid) {
  const std::string reason = std::string(121, 'a') + "\xF0\x9F\x98\x80\xF0\x9F\x98\x80";
  bytes wire;
  write_close_frame(wire, 1001, reason, std::nullopt);
  const auto r = parse_everywhere(role::client, wire);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{close_event{1001, std::string(121, 'a')}}));
}

// Verifies that an RSV1 frame from the writer is seen as compressed by a deflate-enabled reader.
TEST(RoundTrip, Rsv1RoundTrip) {
  bytes wire;
  write_frame(wire, opcode::binary, true, to_bytes("deflated?"), 42u, true);
  const auto r = parse_everywhere(role::server, wire, {.allow_rsv1 = true});
  EXPECT_EQ(r.events, (std::vector<event>{message_event{true, "deflated?", true}}));
}

}  // namespace
