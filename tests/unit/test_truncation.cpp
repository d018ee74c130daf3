// reader: fail loops over truncated and corrupted streams: no crash, no spurious event.
#include "codec_test_support.hpp"

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;

// A stream exercising every frame kind and length form, as a server receives it.
bytes sample_stream() {
  return concat(
      {client_frame(opcode::text, "Hello", true, 0x01020304),
       client_frame(opcode::binary, std::string(126, 'b'), false, 0x0a0b0c0d),
       client_frame(opcode::ping, "ping!", true, 0x11111111),
       client_frame(opcode::continuation, std::string(300, 'c'), true, 0xdeadbeef),
       encode({.opcode = 2, .payload = "64", .mask = 0x99u, .length_bits = 64}),
       client_frame(opcode::text, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", true, 0x5a5a5a5a),
       client_frame(opcode::pong, "", true, 0),
       client_frame(opcode::close, std::string("\x03\xE8") + "bye", true, 0x12345678)});
}

// Verifies that every truncation of a valid stream gives a prefix of its events, no error.
TEST(Truncation, EveryPrefixGivesAPrefixOfTheEvents) {
  const bytes stream = sample_stream();
  const auto full = parse_chunked(role::server, {}, stream);
  ASSERT_FALSE(full.error);
  ASSERT_EQ(full.events.size(), 7u);
  std::size_t previous = 0;
  for (std::size_t n = 0; n <= stream.size(); ++n) {
    const bytes prefix(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
      const auto r = parse_chunked(role::server, {}, prefix, chunk);
      ASSERT_FALSE(r.error) << "cut at " << n;
      ASSERT_LE(r.events.size(), full.events.size());
      ASSERT_TRUE(std::equal(r.events.begin(), r.events.end(), full.events.begin()))
          << "cut at " << n;
      ASSERT_GE(r.events.size(), previous) << "events never disappear as more bytes arrive";
      previous = r.events.size();
      EXPECT_EQ(r.close_received, n == stream.size());
    }
  }
  EXPECT_EQ(previous, full.events.size());
}

// Verifies that any single bit flip is handled the same at once and byte by byte, no crash.
TEST(Truncation, EverySingleBitFlipIsHandled) {
  const bytes stream = sample_stream();
  for (std::size_t i = 0; i < stream.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes corrupted = stream;
      corrupted[i] ^= static_cast<std::uint8_t>(1 << bit);
      const auto r = parse_chunked(role::server, {}, corrupted);
      const auto r1 = parse_chunked(role::server, {}, corrupted, 1);
      ASSERT_EQ(r, r1) << "byte " << i << " bit " << bit;
      if (r.error) {
        EXPECT_FALSE(r.close_received);
      }
    }
  }
}

// Verifies that random garbage never crashes the reader in either role, whatever the chunking.
TEST(Truncation, RandomGarbage) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 2000; ++round) {
    bytes garbage(rng() % 200);
    for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
    for (role r : {role::client, role::server}) {
      const reader_limits limits{.max_message_size = 1000, .allow_rsv1 = (round % 2) == 0};
      const auto whole = parse_chunked(r, limits, garbage);
      ASSERT_EQ(parse_chunked(r, limits, garbage, 1 + rng() % 5), whole) << round;
    }
  }
}

}  // namespace
