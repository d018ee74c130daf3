// reader: UTF-8 validation of text messages, incremental and fail-fast.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

// Verifies that valid multi-byte text is accepted, also when split across fragments mid-character.
TEST(TextValidation, CharactersMaySpanFragments) {
  const std::string kosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";
  // Cut inside the 3-byte character (after "\xCE\xBA\xE1").
  const auto r = parse_everywhere(
      role::server, concat({client_frame(opcode::text, kosme.substr(0, 3), false),
                            client_frame(opcode::continuation, kosme.substr(3, 1), false),
                            client_frame(opcode::continuation, kosme.substr(4))}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, std::vector<event>{text(kosme)});
}

// Verifies that invalid text is rejected with invalid_utf8 (1007).
TEST(TextValidation, InvalidTextRejected) {
  for (std::string_view bad :
       {"\xFF", "abc\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "trunc\xE2\x82"}) {
    const auto r = parse_everywhere(role::client, server_frame(opcode::text, bad));
    EXPECT_EQ(r.error, error::invalid_utf8) << testing::PrintToString(std::string(bad));
    EXPECT_TRUE(r.events.empty());
  }
  reader rd(role::client);
  rd.feed(server_frame(opcode::text, "\xFF"));
  EXPECT_EQ(rd.close_code_for_error(), 1007);
}

// Verifies that a message ending inside a character is rejected when its final frame ends.
TEST(TextValidation, MessageMustEndOnCharacterBoundary) {
  reader rd(role::client);
  EXPECT_TRUE(rd.feed(server_frame(opcode::text, "ok\xE2\x82", false)));  // fine so far
  EXPECT_FALSE(rd.feed(server_frame(opcode::continuation, "")));
  EXPECT_EQ(rd.error(), error::invalid_utf8);
}

// Verifies that an invalid byte fails the reader at once, mid-frame, before the frame ends.
TEST(TextValidation, FailsFastMidFrame) {
  const bytes f =
      server_frame(opcode::text, std::string(100, 'a') + "\xFF" + std::string(1000, 'b'));
  reader rd(role::client);
  const std::size_t header = 4;
  EXPECT_TRUE(rd.feed(std::span(f).first(header + 100)));
  EXPECT_FALSE(rd.feed(std::span(f).subspan(header + 100, 1)));
  EXPECT_EQ(rd.error(), error::invalid_utf8);
  EXPECT_EQ(rd.buffered_bytes(), 0u);
}

// Verifies that invalid text fails fast in a later fragment, on E0 80 before its 3rd byte.
TEST(TextValidation, FailsFastMidFragment) {
  reader rd(role::server);
  EXPECT_TRUE(rd.feed(client_frame(opcode::text, "valid start ", false)));
  const bytes second = client_frame(opcode::continuation, "\xE0\x80\x80 and more", true);
  const std::size_t header = 6;
  EXPECT_TRUE(rd.feed(std::span(second).first(header + 1)));        // E0 alone is still viable
  EXPECT_FALSE(rd.feed(std::span(second).subspan(header + 1, 1)));  // E0 80 is overlong
  EXPECT_EQ(rd.error(), error::invalid_utf8);
}

// Verifies that binary messages are never UTF-8 checked.
TEST(TextValidation, BinaryNotChecked) {
  const auto r =
      parse_everywhere(role::client, server_frame(opcode::binary, "\xFF\xC0\xED\xA0\x80"));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, std::vector<event>{binary("\xFF\xC0\xED\xA0\x80")});
}

// Verifies that a pending sequence of a binary message does not leak into the next text.
TEST(TextValidation, EachMessageCheckedFromScratch) {
  const auto r = parse_everywhere(role::client, concat({server_frame(opcode::binary, "\xE2\x82"),
                                                        server_frame(opcode::text, "\xAC")}));
  EXPECT_EQ(r.error, error::invalid_utf8);
  EXPECT_EQ(r.events, std::vector<event>{binary("\xE2\x82")});
}

}  // namespace
