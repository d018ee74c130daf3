// writer: exact bytes of frames, header sizes, close frames.
#include "codec_test_support.hpp"
#include "ws/close.hpp"
#include "ws/writer.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using h2ws::ws::test::bytes;
using h2ws::ws::test::rfc_key;
using h2ws::ws::test::to_bytes;

bytes frame(opcode op, bool fin, std::string_view payload, std::optional<std::uint32_t> key,
            bool rsv1 = false) {
  bytes out;
  write_frame(out, op, fin, to_bytes(payload), key, rsv1);
  return out;
}

// Verifies that the writer reproduces the RFC 6455 section 5.7 examples byte for byte.
TEST(Writer, MatchesRfcExamples) {
  EXPECT_EQ(frame(opcode::text, true, "Hello", std::nullopt),
            (bytes{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(frame(opcode::text, true, "Hello", rfc_key),
            (bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(frame(opcode::text, false, "Hel", std::nullopt), (bytes{0x01, 0x03, 0x48, 0x65, 0x6c}));
  EXPECT_EQ(frame(opcode::continuation, true, "lo", std::nullopt), (bytes{0x80, 0x02, 0x6c, 0x6f}));
  EXPECT_EQ(frame(opcode::ping, true, "Hello", std::nullopt),
            (bytes{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(frame(opcode::pong, true, "Hello", rfc_key),
            (bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

// Verifies that the RFC's 256-byte and 64 KiB binary headers are reproduced.
TEST(Writer, ExtendedLengthsMatchRfcExamples) {
  const bytes b256 = frame(opcode::binary, true, std::string(256, 'x'), std::nullopt);
  ASSERT_EQ(b256.size(), 4u + 256);
  EXPECT_EQ(bytes(b256.begin(), b256.begin() + 4), (bytes{0x82, 0x7E, 0x01, 0x00}));
  const bytes b64k = frame(opcode::binary, true, std::string(65536, 'x'), std::nullopt);
  ASSERT_EQ(b64k.size(), 10u + 65536);
  EXPECT_EQ(bytes(b64k.begin(), b64k.begin() + 10),
            (bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

// Verifies that the minimal length form is chosen at each boundary.
TEST(Writer, UsesMinimalLengthEncoding) {
  struct boundary {
    std::uint64_t size;
    std::size_t header;
  };
  for (auto [size, header] : {boundary{0, 2}, boundary{125, 2}, boundary{126, 4},
                              boundary{65535, 4}, boundary{65536, 10}, boundary{1u << 20, 10}}) {
    EXPECT_EQ(frame_header_size(size, false), header) << size;
    EXPECT_EQ(frame_header_size(size, true), header + 4) << size;
    std::array<std::uint8_t, max_frame_header_size> buf{};
    EXPECT_EQ(write_frame_header(buf.data(), opcode::binary, true, size, std::nullopt), header);
    EXPECT_EQ(write_frame_header(buf.data(), opcode::binary, true, size, 1u), header + 4);
  }
  EXPECT_EQ(frame_header_size(std::uint64_t{1} << 62, true), max_frame_header_size);
}

// Verifies that write_frame_header writes exactly the header write_frame produces.
TEST(Writer, HeaderOnlyMatchesWholeFrame) {
  for (std::size_t size : {0u, 5u, 125u, 126u, 300u, 65535u, 65536u}) {
    for (bool masked : {false, true}) {
      const std::optional<std::uint32_t> key = masked ? std::optional(0xcafebabeu) : std::nullopt;
      const bytes whole = frame(opcode::binary, false, std::string(size, 'z'), key, true);
      std::array<std::uint8_t, max_frame_header_size> buf{};
      const std::size_t n = write_frame_header(buf.data(), opcode::binary, false, size, key, true);
      ASSERT_EQ(n, whole.size() - size);
      EXPECT_TRUE(
          std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n), whole.begin()));
    }
  }
}

// Verifies that FIN, RSV1 and the opcode land in the first byte.
TEST(Writer, SetsFinRsv1AndOpcode) {
  EXPECT_EQ(frame(opcode::text, true, "", std::nullopt)[0], 0x81);
  EXPECT_EQ(frame(opcode::text, false, "", std::nullopt)[0], 0x01);
  EXPECT_EQ(frame(opcode::binary, true, "", std::nullopt, true)[0], 0xC2);
  EXPECT_EQ(frame(opcode::close, true, "", std::nullopt)[0], 0x88);
  EXPECT_EQ(frame(opcode::continuation, false, "", std::nullopt)[0], 0x00);
}

// Verifies that frames are appended after existing content, which stays untouched.
TEST(Writer, AppendsToExistingBuffer) {
  bytes out{0xAA, 0xBB};
  write_frame(out, opcode::text, true, to_bytes("hi"), std::nullopt);
  write_frame(out, opcode::ping, true, {}, std::nullopt);
  EXPECT_EQ(out, (bytes{0xAA, 0xBB, 0x81, 0x02, 'h', 'i', 0x89, 0x00}));
}

// Verifies that masking applies to the payload only, from payload byte 0, with the written key.
TEST(Writer, MasksPayloadWithTheWrittenKey) {
  const bytes out = frame(opcode::binary, true, std::string(10, '\0'), 0x01020304u);
  EXPECT_EQ(out, (bytes{0x82, 0x8A, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2}));
}

// Verifies that close code 1005 produces an empty close frame and drops the reason.
TEST(Writer, CloseWithNoStatusHasEmptyPayload) {
  bytes out;
  write_close_frame(out, 1005, "ignored", std::nullopt);
  EXPECT_EQ(out, (bytes{0x88, 0x00}));
}

// Verifies that a close frame carries the big-endian code then the reason.
TEST(Writer, CloseCarriesCodeAndReason) {
  bytes out;
  write_close_frame(out, 1000, "bye", std::nullopt);
  EXPECT_EQ(out, (bytes{0x88, 0x05, 0x03, 0xE8, 'b', 'y', 'e'}));
  out.clear();
  write_close_frame(out, 4999, "", rfc_key);
  EXPECT_EQ(out, (bytes{0x88, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x13 ^ 0x37, 0x87 ^ 0xfa}));
}

// Verifies that a long reason is cut to 123 bytes, stepping back to a character boundary.
TEST(Writer, CloseReasonIsTruncatedOnCharacterBoundary) {
  bytes out;
  write_close_frame(out, 1001, std::string(200, 'a'), std::nullopt);
  ASSERT_EQ(out.size(), 2u + 125);
  EXPECT_EQ(out[1], 125);

  // 122 ASCII bytes then a 2-byte character: byte 123 would split it, so it goes entirely.
  const std::string split2 = std::string(122, 'a') + "\xC3\xA9" + "tail";
  out.clear();
  write_close_frame(out, 1001, split2, std::nullopt);
  EXPECT_EQ(out.size(), 2u + 2 + 122);
  // 121 ASCII bytes then a 4-byte character straddling the limit.
  const std::string split4 = std::string(121, 'a') + "\xF0\x9F\x98\x80";
  EXPECT_EQ(close_reason_fit(split4), 121u);
  // A character ending exactly at the limit stays.
  const std::string fits = std::string(120, 'a') + "\xE2\x82\xAC" + "b";
  EXPECT_EQ(close_reason_fit(fits), 123u);
  EXPECT_EQ(close_reason_fit("short"), 5u);
}

// Verifies that is_valid_close_code accepts exactly 1000-1003, 1007-1014, 3000-4999.
TEST(Writer, ValidCloseCodes) {
  for (int code = 0; code < 65536; ++code) {
    const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                          (code >= 3000 && code <= 4999);
    ASSERT_EQ(is_valid_close_code(static_cast<std::uint16_t>(code)), expected) << code;
  }
}

}  // namespace
