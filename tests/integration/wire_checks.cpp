#include "wire_checks.hpp"

#include <string>

#include <gtest/gtest.h>

namespace h2ws::test {

std::vector<std::size_t> expect_wire_frames(const std::vector<wire::ws_frame>& frames,
                                            const wire_expectation& expected) {
  std::vector<std::size_t> counts;
  std::size_t next = 0;        // index into expected.messages
  std::size_t in_message = 0;  // frames of the data message in progress; 0: none
  std::string payload;         // its payload so far
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& f = frames[i];
    SCOPED_TRACE("frame " + std::to_string(i) + ": opcode " + std::to_string(f.opcode) + ", " +
                 std::to_string(f.payload.size()) + " bytes");
    EXPECT_EQ(f.masked, expected.masked);
    EXPECT_FALSE(f.rsv2);
    EXPECT_FALSE(f.rsv3);
    if (expected.frame_limit != 0) {
      EXPECT_LE(f.payload.size(), expected.frame_limit);
    }
    if (f.opcode >= 0x8) {  // a control frame: never fragmented, never compressed
      EXPECT_TRUE(f.fin);
      EXPECT_FALSE(f.rsv1);
      continue;
    }
    if (in_message == 0) {
      if (next == expected.messages.size()) {
        ADD_FAILURE() << "a data frame after the " << next << " expected messages";
        return counts;
      }
      const auto& m = expected.messages[next];
      EXPECT_EQ(f.opcode, m.is_text() ? 0x1 : 0x2) << "message " << next;
      EXPECT_EQ(f.rsv1, expected.compressed) << "message " << next;
    } else {
      EXPECT_EQ(f.opcode, 0x0) << "message " << next << ": a continuation expected";
      EXPECT_FALSE(f.rsv1) << "message " << next << ": RSV1 on a continuation";
    }
    ++in_message;
    payload += f.payload;
    if (!f.fin) continue;
    const auto& m = expected.messages[next];
    std::size_t fewest = 1;
    if (expected.frame_limit != 0 && payload.size() > expected.frame_limit)
      fewest = (payload.size() + expected.frame_limit - 1) / expected.frame_limit;
    EXPECT_EQ(in_message, fewest) << "message " << next << ": " << payload.size()
                                  << " bytes on the wire, frame limit " << expected.frame_limit;
    if (!expected.compressed) {
      EXPECT_TRUE(payload == m.text()) << "message " << next;
    }
    counts.push_back(in_message);
    ++next;
    in_message = 0;
    payload.clear();
  }
  EXPECT_EQ(in_message, 0u) << "the last data message has no FIN frame";
  EXPECT_EQ(next, expected.messages.size()) << "data messages on the wire";
  return counts;
}

}  // namespace h2ws::test
