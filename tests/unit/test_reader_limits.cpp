// reader: max_message_size and max_frame_size, enforced from the header.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

// Verifies that a message exactly at the limit passes and one byte more fails with 1009.
TEST(ReaderLimits, MessageSizeBoundary) {
  const reader_limits limits{.max_message_size = 10};
  EXPECT_EQ(
      parse_everywhere(role::client, server_frame(opcode::binary, std::string(10, 'x')), limits)
          .events,
      (std::vector<event>{binary(std::string(10, 'x'))}));
  const auto r =
      parse_everywhere(role::client, server_frame(opcode::binary, std::string(11, 'x')), limits);
  EXPECT_EQ(r.error, error::message_too_big);
  EXPECT_TRUE(r.events.empty());
}

// Verifies that the message limit counts all fragments together.
TEST(ReaderLimits, MessageSizeSpansFragments) {
  const reader_limits limits{.max_message_size = 10};
  const bytes ok =
      concat({server_frame(opcode::text, "12345", false), server_frame(opcode::ping, "not counted"),
              server_frame(opcode::continuation, "67890")});
  EXPECT_FALSE(parse_everywhere(role::client, ok, limits).error);
  const bytes too_big = concat({server_frame(opcode::text, "123456", false),
                                server_frame(opcode::continuation, "7890", false),
                                server_frame(opcode::continuation, "!")});
  const auto r = parse_everywhere(role::client, too_big, limits);
  EXPECT_EQ(r.error, error::message_too_big);
  reader rd(role::client, limits);
  rd.feed(too_big);
  EXPECT_EQ(rd.close_code_for_error(), 1009);
}

// Verifies that an oversized message fails on its header alone, with nothing buffered.
TEST(ReaderLimits, MessageTooBigDetectedFromHeader) {
  reader rd(role::server, {.max_message_size = 1000});
  const bytes header = encode({.opcode = 2, .mask = 1u, .declared_length = 1'000'000'000});
  EXPECT_FALSE(rd.feed(header));  // the header alone: no payload byte sent
  EXPECT_EQ(rd.error(), error::message_too_big);
  EXPECT_EQ(rd.buffered_bytes(), 0u);
  // Likewise for a continuation that would push the message over.
  reader rd2(role::client, {.max_message_size = 1000});
  EXPECT_TRUE(rd2.feed(server_frame(opcode::binary, std::string(600, 'a'), false)));
  EXPECT_FALSE(rd2.feed(encode({.opcode = 0, .declared_length = 401})));
  EXPECT_EQ(rd2.error(), error::message_too_big);
  EXPECT_EQ(rd2.buffered_bytes(), 0u);
}

// Verifies that max_message_size = 0 means unlimited.
TEST(ReaderLimits, ZeroMeansUnlimited) {
  reader rd(role::client, {.max_message_size = 0});
  EXPECT_TRUE(rd.feed(encode({.opcode = 2, .declared_length = 1ULL << 40})));
  EXPECT_FALSE(rd.error());
}

// Verifies that the default message limit is 64 MiB.
TEST(ReaderLimits, DefaultMessageLimit) {
  reader rd(role::client);
  EXPECT_TRUE(rd.feed(encode({.opcode = 2, .declared_length = 64 * 1024 * 1024})));
  reader rd2(role::client);
  EXPECT_FALSE(rd2.feed(encode({.opcode = 2, .declared_length = 64 * 1024 * 1024 + 1})));
  EXPECT_EQ(rd2.error(), error::message_too_big);
}

// Verifies that a frame over max_frame_size fails with frame_too_big (1009), from its header.
TEST(ReaderLimits, FrameSizeLimit) {
  const reader_limits limits{.max_frame_size = 4};
  // Small frames make a big message: fine.
  const auto ok = parse_everywhere(role::client,
                                   concat({server_frame(opcode::text, "1234", false),
                                           server_frame(opcode::continuation, "5678")}),
                                   limits);
  EXPECT_EQ(ok.events, std::vector<event>{text("12345678")});
  reader rd(role::client, limits);
  EXPECT_FALSE(rd.feed(encode({.opcode = 1, .declared_length = 5})));
  EXPECT_EQ(rd.error(), error::frame_too_big);
  EXPECT_EQ(rd.close_code_for_error(), 1009);
  // It applies to control frames too.
  EXPECT_EQ(parse_everywhere(role::client, server_frame(opcode::ping, "12345"), limits).error,
            error::frame_too_big);
}

// Verifies that when both limits are exceeded the frame limit is reported.
TEST(ReaderLimits, FrameLimitCheckedFirst) {
  const auto r = parse_everywhere(role::client, server_frame(opcode::binary, std::string(20, 'x')),
                                  {.max_message_size = 10, .max_frame_size = 5});
  EXPECT_EQ(r.error, error::frame_too_big);
}

}  // namespace
