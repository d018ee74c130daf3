// reader: ping and pong frames and the control frame rules.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

// Verifies that ping and pong payloads (empty to 125 bytes) are delivered unmasked.
TEST(ControlFrames, PingAndPongPayloads) {
  const std::string max(125, 'p');
  const std::string binary_payload("\x00\xFF binary ok", 13);
  const auto r = parse_everywhere(
      role::server,
      concat({client_frame(opcode::ping, ""), client_frame(opcode::ping, max),
              client_frame(opcode::pong, binary_payload), client_frame(opcode::pong, "")}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{ping_event{""}, ping_event{max},
                                          pong_event{binary_payload}, pong_event{""}}));
}

// Verifies that a control frame with FIN clear is rejected (1002).
TEST(ControlFrames, FragmentedControlFrame) {
  for (opcode op : {opcode::ping, opcode::pong, opcode::close}) {
    const auto r = parse_everywhere(role::client, server_frame(op, "", false));
    EXPECT_EQ(r.error, error::bad_control_frame) << static_cast<int>(op);
    EXPECT_TRUE(r.events.empty());
  }
  reader rd(role::client);
  rd.feed(server_frame(opcode::ping, "", false));
  EXPECT_EQ(rd.close_code_for_error(), 1002);
}

// Verifies that a control frame over 125 bytes is rejected, in 16-bit and 64-bit forms.
TEST(ControlFrames, OversizedControlFrame) {
  for (std::uint8_t op : {8, 9, 10}) {
    EXPECT_EQ(
        parse_everywhere(role::client, encode({.opcode = op, .payload = std::string(126, 'x')}))
            .error,
        error::bad_control_frame);
    // A small payload in an extended form still announces "more than 125" via the 7-bit code.
    EXPECT_EQ(
        parse_everywhere(role::client, encode({.opcode = op, .payload = "x", .length_bits = 16}))
            .error,
        error::bad_control_frame);
    EXPECT_EQ(
        parse_everywhere(role::client, encode({.opcode = op, .payload = "x", .length_bits = 64}))
            .error,
        error::bad_control_frame);
  }
}

// Verifies that RSV1 on a control frame is rejected even with permessage-deflate.
TEST(ControlFrames, Rsv1OnControlFrame) {
  const reader_limits deflate{.allow_rsv1 = true};
  for (std::uint8_t op : {8, 9, 10}) {
    EXPECT_EQ(parse_everywhere(role::client, encode({.opcode = op, .rsv1 = true}), deflate).error,
              error::bad_reserved_bits);
  }
}

// Verifies that ping payloads are not UTF-8 checked (they are binary).
TEST(ControlFrames, PingPayloadIsBinary) {
  const auto r = parse_everywhere(role::client, server_frame(opcode::ping, "\xFF\xFE"));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, std::vector<event>{ping_event{"\xFF\xFE"}});
}

// Verifies that a partial control frame is counted by buffered_bytes().
TEST(ControlFrames, PartialControlFrameIsBuffered) {
  const bytes f = server_frame(opcode::ping, "12345");
  reader rd(role::client);
  rd.feed(std::span(f).first(5));
  EXPECT_EQ(rd.buffered_bytes(), 3u);
  rd.feed(std::span(f).subspan(5));
  EXPECT_EQ(rd.buffered_bytes(), 0u);
  EXPECT_EQ(rd.next(), std::optional<event>(ping_event{"12345"}));
}

}  // namespace
