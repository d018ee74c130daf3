// reader: well-formed framing, payload lengths, masking by role, chunked input.
#include "codec_test_support.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;

// Verifies that a client parses the unmasked RFC 6455 section 5.7 examples.
TEST(ReaderFraming, ParsesRfcExamplesAsClient) {
  const bytes stream{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f,   // "Hello"
                     0x01, 0x03, 0x48, 0x65, 0x6c,               // "Hel" ...
                     0x80, 0x02, 0x6c, 0x6f,                     // ... "lo"
                     0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};  // ping "Hello"
  const auto r = parse_everywhere(role::client, stream);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{text("Hello"), text("Hello"), ping_event{"Hello"}}));
}

// Verifies that a server unmasks the masked RFC examples.
TEST(ReaderFraming, ServerUnmasksRfcExamples) {
  const bytes stream{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
                     0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  const auto r = parse_everywhere(role::server, stream);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{text("Hello"), pong_event{"Hello"}}));
}

// Verifies that 7-, 16- and 64-bit payload lengths parse at their boundaries, both roles.
TEST(ReaderFraming, PayloadLengthForms) {
  for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 31 + 7);
    const auto r_client = parse_chunked(role::client, {}, server_frame(opcode::binary, payload));
    EXPECT_FALSE(r_client.error) << size;
    EXPECT_EQ(r_client.events, std::vector<event>{binary(payload)}) << size;
    const auto r_server =
        parse_chunked(role::server, {}, client_frame(opcode::binary, payload), 1000);
    EXPECT_FALSE(r_server.error) << size;
    EXPECT_EQ(r_server.events, std::vector<event>{binary(payload)}) << size;
  }
}

// Verifies that a small frame split at every byte of a 64-bit-length header still parses.
TEST(ReaderFraming, SixtyFourBitHeaderSplitAnywhere) {
  const bytes f = encode({.opcode = 2, .payload = "abc", .mask = 0x11223344u, .length_bits = 64});
  ASSERT_EQ(f.size(), 14u + 3);
  const auto r = parse_everywhere(role::server, f);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, std::vector<event>{binary("abc")});
}

// Verifies that non-minimal length encodings are accepted (minimality binds the sender only).
TEST(ReaderFraming, AcceptsNonMinimalLengths) {
  const bytes stream = concat({encode({.opcode = 1, .payload = "a", .length_bits = 16}),
                               encode({.opcode = 1, .payload = "b", .length_bits = 64})});
  const auto r = parse_everywhere(role::client, stream);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{text("a"), text("b")}));
}

// Verifies that empty text and binary messages are delivered.
TEST(ReaderFraming, EmptyMessages) {
  const auto r = parse_everywhere(
      role::client, concat({server_frame(opcode::text, ""), server_frame(opcode::binary, "")}));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{text(""), binary("")}));
}

// Verifies that many frames in one feed() come out as many events, in order.
TEST(ReaderFraming, ManyFramesInOneFeedKeepOrder) {
  bytes stream;
  std::vector<event> expected;
  for (int i = 0; i < 50; ++i) {
    const std::string s = "message " + std::to_string(i);
    const bytes f = client_frame(i % 2 ? opcode::binary : opcode::text, s, true,
                                 static_cast<std::uint32_t>(i * 0x01010101));
    stream.insert(stream.end(), f.begin(), f.end());
    expected.push_back(i % 2 ? binary(s) : text(s));
  }
  const auto r = parse_everywhere(role::server, stream);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, expected);
}

// Verifies that a mask key of zero (legal, if unwise) leaves the payload as is.
TEST(ReaderFraming, ZeroMaskKey) {
  const auto r = parse_everywhere(role::server, client_frame(opcode::text, "same", true, 0));
  EXPECT_EQ(r.events, std::vector<event>{text("same")});
}

// Verifies that next() returns nothing before a frame is complete and the event right after.
TEST(ReaderFraming, EventAppearsOnlyWhenFrameCompletes) {
  const bytes f = server_frame(opcode::text, "hello");
  reader rd(role::client);
  EXPECT_TRUE(rd.feed(std::span(f).first(f.size() - 1)));
  EXPECT_FALSE(rd.next());
  EXPECT_TRUE(rd.feed(std::span(f).last(1)));
  EXPECT_EQ(rd.next(), std::optional<event>(text("hello")));
  EXPECT_FALSE(rd.next());
}

// Verifies that events left untaken across feed() calls are kept, in order.
TEST(ReaderFraming, UntakenEventsSurviveLaterFeeds) {
  reader rd(role::client);
  rd.feed(server_frame(opcode::text, "one"));
  rd.feed(server_frame(opcode::text, "two"));
  EXPECT_EQ(rd.next(), std::optional<event>(text("one")));
  rd.feed(server_frame(opcode::text, "three"));
  EXPECT_EQ(rd.next(), std::optional<event>(text("two")));
  EXPECT_EQ(rd.next(), std::optional<event>(text("three")));
  EXPECT_FALSE(rd.next());
}

// Verifies that feeding nothing is harmless.
TEST(ReaderFraming, EmptyFeed) {
  reader rd(role::server);
  EXPECT_TRUE(rd.feed({}));
  EXPECT_FALSE(rd.next());
  EXPECT_FALSE(rd.error());
  EXPECT_EQ(rd.close_code_for_error(), 0);
  EXPECT_FALSE(rd.close_received());
  EXPECT_EQ(rd.buffered_bytes(), 0u);
}

// Verifies that strings offered with recycle() (with stale content, of any capacity) never
// leak into a message: every payload, whole or fragmented, comes out exactly as sent.
TEST(ReaderFraming, RecycledStringsCarryNothingOver) {
  reader rd(role::client, {});
  const std::string big(5000, 'B');
  const std::string medium(200, 'm');
  const bytes stream =
      concat({server_frame(opcode::binary, medium),
              server_frame(opcode::text, "hello there, this is a text"),
              server_frame(opcode::binary, big), server_frame(opcode::binary, "x", false),
              server_frame(opcode::continuation, medium), server_frame(opcode::binary, "")});
  // Stale content, some too small for the next message, one too large to be kept.
  for (std::size_t size : {40u, 3000u, 100u, 64u * 1024u, 20u, 7u})
    rd.recycle(std::string(size, '#'));
  ASSERT_TRUE(rd.feed(stream));
  std::vector<event> events;
  while (auto ev = rd.next()) {
    events.push_back(*ev);
    if (const auto* m = std::get_if<message_event>(&*ev)) rd.recycle(std::string(m->payload));
  }
  EXPECT_FALSE(rd.error());
  EXPECT_EQ(events, (std::vector<event>{binary(medium), text("hello there, this is a text"),
                                        binary(big), binary("x" + medium), binary("")}));
}

}  // namespace
