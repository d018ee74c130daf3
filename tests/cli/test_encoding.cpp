// The CLI's checks and conversions of lines and messages: UTF-8 (RFC 3629), base64
// (RFC 4648 test vectors).
#include "encoding.hpp"

#include <string>

#include <gtest/gtest.h>

namespace h2ws::cli {
namespace {

// Verifies that valid UTF-8, up to four-byte sequences, passes.
TEST(Utf8, ValidTextPasses) {
  EXPECT_FALSE(first_invalid_utf8(""));
  EXPECT_FALSE(first_invalid_utf8("plain ascii"));
  EXPECT_FALSE(
      first_invalid_utf8("gr\xc3\xbc\xc3\x9f"
                         "e \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x8e\x89"));
  EXPECT_FALSE(first_invalid_utf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_FALSE(first_invalid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

// Verifies that each kind of invalid sequence is found at its first byte.
TEST(Utf8, InvalidSequencesAreFoundWhereTheyStart) {
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);              // lone continuation byte
  EXPECT_EQ(first_invalid_utf8("a\xc0\xaf"), 1u);         // overlong '/'
  EXPECT_EQ(first_invalid_utf8("\xe0\x80\xaf"), 0u);      // overlong, three bytes
  EXPECT_EQ(first_invalid_utf8("\xf0\x80\x80\xaf"), 0u);  // overlong, four bytes
  EXPECT_EQ(first_invalid_utf8("x\xed\xa0\x80"), 1u);     // surrogate U+D800
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xf5\x80\x80\x80"), 0u);
  EXPECT_EQ(first_invalid_utf8("ok\xe4\xbd"), 2u);    // truncated at the end
  EXPECT_EQ(first_invalid_utf8("\xe4\x41\xa0"), 0u);  // bad continuation byte
}

// Verifies the RFC 4648 section 10 vectors both ways, and binary bytes.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\x00\x01\xff", 3), "AAH/"},
      {"\xfb\xff", "+/8="},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
  }
  EXPECT_EQ(base64_decode("Zm8"), "fo");  // padding may be left out
  EXPECT_EQ(base64_decode("Zg"), "f");
}

// Verifies that anything but canonical base64 is refused.
TEST(Base64, MalformedInputIsRefused) {
  for (const char* bad :
       {"!!", "Zg=", "Z", "Zm9vY", "Zg===", "Z=g=", "Zm 9v", "Zh==", "Zm9=", "=Zm9", "Zm9v\r"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

}  // namespace
}  // namespace h2ws::cli
