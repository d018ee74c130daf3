// reader: close frames, close code validity, reason UTF-8, what follows a close.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

std::string close_payload(std::uint16_t code, std::string_view reason = "") {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  p += reason;
  return p;
}

// Verifies that an empty close frame is reported as code 1005 with no reason.
TEST(CloseFrames, EmptyPayloadIsNoStatus) {
  const auto r = parse_everywhere(role::client, server_frame(opcode::close, ""));
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.close_received);
  EXPECT_EQ(r.events, (std::vector<event>{close_event{1005, ""}}));
}

// Verifies that code and reason are decoded, as sent by a client (masked).
TEST(CloseFrames, CodeAndReason) {
  const auto r = parse_everywhere(
      role::server, client_frame(opcode::close, close_payload(1001, "going \xE2\x86\x92")));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{close_event{1001, "going \xE2\x86\x92"}}));
}

// Verifies that a one-byte close payload is rejected (1002).
TEST(CloseFrames, OneBytePayload) {
  const auto r = parse_everywhere(role::client, server_frame(opcode::close, "\x03"));
  EXPECT_EQ(r.error, error::bad_close_frame);
  EXPECT_FALSE(r.close_received);
  EXPECT_TRUE(r.events.empty());
}

// Verifies that only sendable close codes are accepted; the rest fail with 1002.
TEST(CloseFrames, CodeValidity) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    const auto r = parse_everywhere(role::client, server_frame(opcode::close, close_payload(code)));
    EXPECT_FALSE(r.error) << code;
    EXPECT_EQ(r.events, (std::vector<event>{close_event{code, ""}})) << code;
  }
  for (std::uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 10000, 65535}) {
    reader rd(role::client);
    EXPECT_FALSE(rd.feed(server_frame(opcode::close, close_payload(code)))) << code;
    EXPECT_EQ(rd.error(), error::bad_close_frame) << code;
    EXPECT_EQ(rd.close_code_for_error(), 1002) << code;
    EXPECT_FALSE(rd.close_received());
    EXPECT_FALSE(rd.next());
  }
}

// Verifies that a close reason that is not UTF-8 is rejected with 1007.
TEST(CloseFrames, ReasonMustBeUtf8) {
  for (std::string_view bad : {"\xFF", "ok\xC3", "\xED\xA0\x80", "\xC0\xAF"}) {
    reader rd(role::client);
    EXPECT_FALSE(rd.feed(server_frame(opcode::close, close_payload(1000, bad))));
    EXPECT_EQ(rd.error(), error::invalid_utf8);
    EXPECT_EQ(rd.close_code_for_error(), 1007);
  }
}

// Verifies that a 123-byte reason (the maximum) is accepted.
TEST(CloseFrames, LongestReason) {
  const std::string reason(123, 'r');
  const auto r =
      parse_everywhere(role::client, server_frame(opcode::close, close_payload(4000, reason)));
  EXPECT_EQ(r.events, (std::vector<event>{close_event{4000, reason}}));
}

// Verifies that bytes after a close frame are ignored, even invalid ones, and feed stays true.
TEST(CloseFrames, BytesAfterCloseAreIgnored) {
  const auto r = parse_everywhere(
      role::client,
      concat({server_frame(opcode::text, "last"), server_frame(opcode::close, close_payload(1000)),
              server_frame(opcode::text, "ignored"), encode({.opcode = 3})}));
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.close_received);
  EXPECT_EQ(r.events, (std::vector<event>{text("last"), close_event{1000, ""}}));

  reader rd(role::client);
  EXPECT_TRUE(rd.feed(server_frame(opcode::close, "")));
  EXPECT_TRUE(rd.feed(encode({.opcode = 3})));
  EXPECT_FALSE(rd.error());
}

// Verifies that a close inside a fragmented message is delivered and the partial one dropped.
TEST(CloseFrames, CloseInsideFragmentedMessage) {
  reader rd(role::client);
  rd.feed(concat({server_frame(opcode::text, "partial", false),
                  server_frame(opcode::close, close_payload(1001))}));
  EXPECT_TRUE(rd.close_received());
  EXPECT_EQ(rd.buffered_bytes(), 0u);
  EXPECT_EQ(rd.next(), std::optional<event>(close_event{1001, ""}));
  EXPECT_FALSE(rd.next());
}

}  // namespace
