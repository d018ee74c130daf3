// reader: fragmented messages, interleaved control frames, sequencing violations.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

// Verifies that fragments are reassembled into one message of the first frame's type.
TEST(Fragmentation, ReassemblesFragments) {
  const auto r =
      parse_everywhere(role::client, concat({server_frame(opcode::binary, "ab", false),
                                             server_frame(opcode::continuation, "", false),
                                             server_frame(opcode::continuation, "cd", false),
                                             server_frame(opcode::continuation, "e", true)}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, std::vector<event>{binary("abcde")});
}

// Verifies that masked fragments are each unmasked with their own key.
TEST(Fragmentation, ServerUnmasksEachFragmentWithItsKey) {
  const auto r = parse_everywhere(
      role::server, concat({client_frame(opcode::text, "Hello, ", false, 0x01020304),
                            client_frame(opcode::continuation, "frag", false, 0xa0b0c0d0),
                            client_frame(opcode::continuation, "mented!", true, 0xffffffff)}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{text("Hello, fragmented!")}));
}

// Verifies that control frames between fragments are delivered, before the message.
TEST(Fragmentation, InterleavedControlFramesComeFirst) {
  const auto r = parse_everywhere(
      role::client,
      concat({server_frame(opcode::text, "Hel", false), server_frame(opcode::ping, "1"),
              server_frame(opcode::continuation, "l", false), server_frame(opcode::pong, "2"),
              server_frame(opcode::ping, ""), server_frame(opcode::continuation, "o", true),
              server_frame(opcode::text, "next")}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{ping_event{"1"}, pong_event{"2"}, ping_event{""},
                                          text("Hello"), text("next")}));
}

// Verifies that a continuation frame with no message in progress is rejected (1002).
TEST(Fragmentation, ContinuationWithoutMessage) {
  EXPECT_EQ(parse_everywhere(role::client, server_frame(opcode::continuation, "x")).error,
            error::bad_continuation);
  EXPECT_EQ(parse_everywhere(role::client, server_frame(opcode::continuation, "x", false)).error,
            error::bad_continuation);
  // Also after a completed message.
  const auto r = parse_everywhere(role::client, concat({server_frame(opcode::text, "done"),
                                                        server_frame(opcode::continuation, "x")}));
  EXPECT_EQ(r.error, error::bad_continuation);
  EXPECT_EQ(r.events, std::vector<event>{text("done")});
  reader rd(role::client);
  rd.feed(server_frame(opcode::continuation, ""));
  EXPECT_EQ(rd.close_code_for_error(), 1002);
}

// Verifies that a text or binary frame inside a fragmented message is rejected (1002).
TEST(Fragmentation, NewDataFrameInsideMessage) {
  for (opcode op : {opcode::text, opcode::binary}) {
    for (bool fin : {false, true}) {
      const auto r = parse_everywhere(
          role::client,
          concat({server_frame(opcode::binary, "a", false), server_frame(op, "b", fin)}));
      EXPECT_EQ(r.error, error::bad_data_frame);
      EXPECT_TRUE(r.events.empty());
    }
  }
  // Even with a control frame in between.
  const auto r = parse_everywhere(
      role::client, concat({server_frame(opcode::text, "a", false), server_frame(opcode::ping, ""),
                            server_frame(opcode::text, "b")}));
  EXPECT_EQ(r.error, error::bad_data_frame);
  EXPECT_EQ(r.events, std::vector<event>{ping_event{""}});
}

// Verifies that buffered_bytes() counts the message in progress and drops to 0 on delivery.
TEST(Fragmentation, BufferedBytesTracksMessageInProgress) {
  reader rd(role::client);
  rd.feed(server_frame(opcode::binary, "1234", false));
  EXPECT_EQ(rd.buffered_bytes(), 4u);
  const bytes second = server_frame(opcode::continuation, "56789", false);
  rd.feed(std::span(second).first(4));  // header + 2 payload bytes
  EXPECT_EQ(rd.buffered_bytes(), 6u);
  rd.feed(std::span(second).subspan(4));
  EXPECT_EQ(rd.buffered_bytes(), 9u);
  rd.feed(server_frame(opcode::continuation, "0"));
  EXPECT_EQ(rd.buffered_bytes(), 0u);
  EXPECT_EQ(rd.next(), std::optional<event>(binary("1234567890")));
}

// Verifies that a message started after a completed fragmented one begins empty.
TEST(Fragmentation, ConsecutiveFragmentedMessagesDoNotMix) {
  const auto r =
      parse_everywhere(role::client, concat({server_frame(opcode::text, "ab", false),
                                             server_frame(opcode::continuation, "c", true),
                                             server_frame(opcode::binary, "x", false),
                                             server_frame(opcode::continuation, "yz", true)}));
  EXPECT_EQ(r.events, (std::vector<event>{text("abc"), binary("xyz")}));
}

}  // namespace
