// reader: every framing rule violation, its error and close code, stickiness.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

parse_result parse_client(const bytes& b, const reader_limits& limits = {}) {
  return parse_everywhere(role::client, b, limits);
}

std::uint16_t close_code_after(role r, const bytes& b, const reader_limits& limits = {}) {
  reader rd(r, limits);
  rd.feed(b);
  return rd.close_code_for_error();
}

// Verifies that a client rejects a masked frame from the server (1002).
TEST(ReaderViolations, ClientRejectsMaskedFrame) {
  const bytes f = client_frame(opcode::text, "x");
  EXPECT_EQ(parse_client(f).error, error::masked_frame);
  EXPECT_EQ(close_code_after(role::client, f), 1002);
}

// Verifies that a server rejects an unmasked frame from the client (1002).
TEST(ReaderViolations, ServerRejectsUnmaskedFrame) {
  const bytes f = server_frame(opcode::text, "x");
  EXPECT_EQ(parse_everywhere(role::server, f).error, error::unmasked_frame);
  EXPECT_EQ(close_code_after(role::server, f), 1002);
}

// Verifies that the masking rule also applies to control frames.
TEST(ReaderViolations, MaskingRuleCoversControlFrames) {
  EXPECT_EQ(parse_client(client_frame(opcode::ping, "")).error, error::masked_frame);
  EXPECT_EQ(parse_everywhere(role::server, server_frame(opcode::close, "")).error,
            error::unmasked_frame);
}

// Verifies that each reserved opcode (3-7, 11-15) is rejected with bad_opcode (1002).
TEST(ReaderViolations, ReservedOpcodes) {
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    const bytes f = encode({.opcode = op, .payload = "x"});
    EXPECT_EQ(parse_client(f).error, error::bad_opcode) << int{op};
    EXPECT_EQ(close_code_after(role::client, f), 1002);
  }
}

// Verifies that RSV2 and RSV3 are always rejected, even with permessage-deflate.
TEST(ReaderViolations, Rsv2AndRsv3AlwaysRejected) {
  for (bool allow : {false, true}) {
    const reader_limits limits{.allow_rsv1 = allow};
    EXPECT_EQ(parse_client(encode({.opcode = 1, .payload = "x", .rsv2 = true}), limits).error,
              error::bad_reserved_bits);
    EXPECT_EQ(parse_client(encode({.opcode = 2, .payload = "x", .rsv3 = true}), limits).error,
              error::bad_reserved_bits);
    EXPECT_EQ(parse_client(encode({.opcode = 9, .rsv2 = true, .rsv3 = true}), limits).error,
              error::bad_reserved_bits);
  }
  EXPECT_EQ(close_code_after(role::client, encode({.opcode = 1, .rsv3 = true})), 1002);
}

// Verifies that RSV1 is rejected when permessage-deflate was not negotiated.
TEST(ReaderViolations, Rsv1RejectedWithoutExtension) {
  EXPECT_EQ(parse_client(encode({.opcode = 1, .payload = "x", .rsv1 = true})).error,
            error::bad_reserved_bits);
  EXPECT_EQ(parse_client(encode({.opcode = 2, .payload = "x", .rsv1 = true})).error,
            error::bad_reserved_bits);
}

// Verifies that a 64-bit length with its most significant bit set is rejected (1002).
TEST(ReaderViolations, SixtyFourBitLengthWithMsbSet) {
  const bytes f = encode({.opcode = 2, .length_bits = 64, .declared_length = 1ULL << 63});
  const reader_limits unlimited{.max_message_size = 0};
  EXPECT_EQ(parse_client(f, unlimited).error, error::bad_frame_length);
  EXPECT_EQ(close_code_after(role::client, f, unlimited), 1002);
  const bytes all_ones = encode({.opcode = 2, .length_bits = 64, .declared_length = ~0ULL});
  EXPECT_EQ(parse_client(all_ones, unlimited).error, error::bad_frame_length);
}

// Verifies that the largest legal 64-bit length is accepted as a header when nothing limits it.
TEST(ReaderViolations, LargestLegalLengthPassesTheHeader) {
  const bytes f = encode({.opcode = 2, .length_bits = 64, .declared_length = (1ULL << 63) - 1});
  reader rd(role::client, {.max_message_size = 0});
  EXPECT_TRUE(rd.feed(f));
  EXPECT_TRUE(rd.feed(to_bytes("some payload")));
  EXPECT_FALSE(rd.error());
  EXPECT_EQ(rd.buffered_bytes(), 12u);
}

// Verifies that the first violation wins and stays: later bytes are ignored, feed returns false.
TEST(ReaderViolations, ErrorIsStickyAndStopsParsing) {
  reader rd(role::client);
  EXPECT_TRUE(rd.feed(server_frame(opcode::text, "before")));
  EXPECT_FALSE(rd.feed(encode({.opcode = 3})));
  EXPECT_EQ(rd.error(), error::bad_opcode);
  EXPECT_FALSE(rd.feed(client_frame(opcode::text, "masked")));
  EXPECT_FALSE(rd.feed(server_frame(opcode::text, "after")));
  EXPECT_EQ(rd.error(), error::bad_opcode);
  // Events parsed before the violation remain available; nothing after it.
  EXPECT_EQ(rd.next(), std::optional<event>(text("before")));
  EXPECT_FALSE(rd.next());
}

// Verifies that a violation in the same feed() as valid frames keeps the earlier events.
TEST(ReaderViolations, EventsBeforeTheViolationAreDelivered) {
  const auto r = parse_client(
      concat({server_frame(opcode::text, "a"), server_frame(opcode::ping, "p"),
              encode({.opcode = 1, .rsv2 = true}), server_frame(opcode::text, "never")}));
  EXPECT_EQ(r.error, error::bad_reserved_bits);
  EXPECT_EQ(r.events, (std::vector<event>{text("a"), ping_event{"p"}}));
}

// Verifies that the violation is detected from the first two header bytes, before the rest.
TEST(ReaderViolations, DetectedFromFirstTwoBytes) {
  const bytes f = encode({.opcode = 1, .payload = std::string(300, 'x'), .rsv2 = true});
  reader rd(role::client);
  EXPECT_FALSE(rd.feed(std::span(f).first(2)));
  EXPECT_EQ(rd.error(), error::bad_reserved_bits);
}

// Verifies that close_code_for_error() maps every reader error to 1002, 1007 or 1009.
TEST(ReaderViolations, CloseCodeForEachError) {
  EXPECT_EQ(close_code_after(role::client, encode({.opcode = 8, .payload = "\x03"})), 1002);
  EXPECT_EQ(close_code_after(role::client, server_frame(opcode::text, "\xFF")), 1007);
  EXPECT_EQ(
      close_code_after(role::client, server_frame(opcode::text, "12345"), {.max_message_size = 4}),
      1009);
  EXPECT_EQ(
      close_code_after(role::client, server_frame(opcode::text, "12345"), {.max_frame_size = 4}),
      1009);
  EXPECT_EQ(close_code_after(role::client, server_frame(opcode::text, "fine")), 0);
}

}  // namespace
