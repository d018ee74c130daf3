// reader: RSV1 (permessage-deflate) handling when the extension was negotiated.
#include "codec_test_support.hpp"
#include <h2ws/error.hpp>

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace h2ws::ws;
using namespace h2ws::ws::test;
using h2ws::error;

const reader_limits deflate{.allow_rsv1 = true};

// Verifies that RSV1 on a data message is allowed and reported as compressed.
TEST(CompressedMessages, Rsv1ReportedAsCompressed) {
  const auto r = parse_everywhere(role::client,
                                  concat({encode({.opcode = 1, .payload = "zz", .rsv1 = true}),
                                          encode({.opcode = 2, .payload = "yy", .rsv1 = true}),
                                          server_frame(opcode::text, "plain")}),
                                  deflate);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events, (std::vector<event>{message_event{false, "zz", true},
                                          message_event{true, "yy", true}, text("plain")}));
}

// Verifies that compressed text is not UTF-8 checked (the inflating layer does it).
TEST(CompressedMessages, CompressedTextSkipsUtf8Check) {
  const auto r = parse_everywhere(role::server,
                                  concat({encode({.opcode = 1,
                                                  .payload = std::string("\xFF\x00\xC0", 3),
                                                  .fin = false,
                                                  .rsv1 = true,
                                                  .mask = 7u}),
                                          encode({.opcode = 0, .payload = "\xE2", .mask = 9u})}),
                                  deflate);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.events,
            (std::vector<event>{message_event{false, std::string("\xFF\x00\xC0\xE2", 4), true}}));
}

// Verifies that RSV1 on a continuation frame is rejected: only the first frame carries it.
TEST(CompressedMessages, Rsv1OnContinuationRejected) {
  const auto r =
      parse_everywhere(role::client,
                       concat({encode({.opcode = 1, .payload = "a", .fin = false, .rsv1 = true}),
                               encode({.opcode = 0, .payload = "b", .rsv1 = true})}),
                       deflate);
  EXPECT_EQ(r.error, error::bad_reserved_bits);
  EXPECT_EQ(parse_everywhere(role::client,
                             concat({encode({.opcode = 1, .payload = "a", .fin = false}),
                                     encode({.opcode = 0, .payload = "b", .rsv1 = true})}),
                             deflate)
                .error,
            error::bad_reserved_bits);
}

// Verifies that an uncompressed text message is still checked when the extension is on.
TEST(CompressedMessages, UncompressedTextStillChecked) {
  EXPECT_EQ(parse_everywhere(role::client, server_frame(opcode::text, "\xFF"), deflate).error,
            error::invalid_utf8);
}

}  // namespace
