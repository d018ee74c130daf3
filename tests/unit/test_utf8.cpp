// utf8_validator: correctness against a reference decoder, fail-fast, incremental feeding.
#include "ws/utf8_validator.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

namespace {

using h2ws::ws::is_valid_utf8;
using h2ws::ws::utf8_validator;
using bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A plain decoder written from the RFC 3629 definition (code point ranges, not byte tables), as
// the reference the DFA must agree with.
bool reference_valid(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bytes encode(std::uint32_t cp) {
  if (cp < 0x80) return {static_cast<std::uint8_t>(cp)};
  if (cp < 0x800) {
    return {static_cast<std::uint8_t>(0xC0 | (cp >> 6)),
            static_cast<std::uint8_t>(0x80 | (cp & 0x3F))};
  }
  if (cp < 0x10000) {
    return {static_cast<std::uint8_t>(0xE0 | (cp >> 12)),
            static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
            static_cast<std::uint8_t>(0x80 | (cp & 0x3F))};
  }
  return {static_cast<std::uint8_t>(0xF0 | (cp >> 18)),
          static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F)),
          static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
          static_cast<std::uint8_t>(0x80 | (cp & 0x3F))};
}

bool is_scalar_value(std::uint32_t cp) { return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

// Every proper, non-empty prefix of the encoding of every scalar value: the byte strings after
// which a valid character may still follow. Keyed as (length << 24 | bytes).
const std::unordered_set<std::uint32_t>& incomplete_prefixes() {
  static const auto set = [] {
    std::unordered_set<std::uint32_t> s;
    for (std::uint32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
      if (!is_scalar_value(cp)) continue;
      const bytes e = encode(cp);
      std::uint32_t key = 0;
      for (std::size_t len = 1; len < e.size(); ++len) {
        key = (key << 8) | e[len - 1];
        s.insert(static_cast<std::uint32_t>(len << 24) | key);
      }
    }
    return s;
  }();
  return set;
}

// Whether some continuation could make `s` valid: its longest valid head is followed by at most
// an incomplete character. UTF-8 decodes uniquely from the left, so trying tails of 0..3 bytes
// is enough.
bool reference_viable(std::span<const std::uint8_t> s) {
  for (std::size_t tail = 0; tail <= 3 && tail <= s.size(); ++tail) {
    if (!reference_valid(s.first(s.size() - tail))) continue;
    if (tail == 0) return true;
    std::uint32_t key = 0;
    for (std::uint8_t b : s.last(tail)) key = (key << 8) | b;
    if (incomplete_prefixes().count(static_cast<std::uint32_t>(tail << 24) | key)) return true;
  }
  return false;
}

// Verifies that every scalar value's encoding is accepted, alone and after ASCII (fast path).
TEST(Utf8, AcceptsEveryScalarValue) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!is_scalar_value(cp)) continue;
    bytes e = encode(cp);
    ASSERT_TRUE(is_valid_utf8(e)) << std::hex << cp;
    // Nine ASCII bytes first, so the character is reached after the 8-byte fast path.
    bytes padded(9 + e.size(), 'a');
    std::copy(e.begin(), e.end(), padded.begin() + 9);
    ASSERT_TRUE(is_valid_utf8(padded)) << std::hex << cp;
  }
}

// Verifies that surrogates and values above U+10FFFF, encoded the naive way, are rejected.
TEST(Utf8, RejectsSurrogatesAndOutOfRange) {
  for (std::uint32_t cp = 0xD800; cp <= 0xDFFF; ++cp) ASSERT_FALSE(is_valid_utf8(encode(cp)));
  for (std::uint32_t cp = 0x110000; cp <= 0x1FFFFF; cp += 0x101) {
    ASSERT_FALSE(is_valid_utf8(encode(cp)));
  }
}

// Verifies that verdict and fail-fast point match the reference on all short inputs.
TEST(Utf8, AgreesWithReferenceExhaustivelyOnShortInputs) {
  auto check = [](const bytes& s) {
    utf8_validator v;
    const bool fed = v.feed(s);
    ASSERT_EQ(fed, reference_viable(s)) << testing::PrintToString(s);
    ASSERT_EQ(fed && v.complete(), reference_valid(s)) << testing::PrintToString(s);
  };
  for (int a = 0; a < 256; ++a) {
    check({static_cast<std::uint8_t>(a)});
    for (int b = 0; b < 256; ++b)
      check({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)});
  }
  for (int a = 0xC0; a < 256; ++a) {
    for (int b = 0x70; b < 0xD0; ++b) {
      for (int c = 0x70; c < 0xD0; ++c) {
        check({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
               static_cast<std::uint8_t>(c)});
      }
    }
  }
}

// Verifies that the validator agrees with the reference on random UTF-8-like strings.
TEST(Utf8, AgreesWithReferenceOnRandomInputs) {
  std::mt19937 rng(12345);
  const std::uint8_t interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                      0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (int round = 0; round < 300000; ++round) {
    bytes s(4 + rng() % 9);
    for (auto& b : s) b = interesting[rng() % std::size(interesting)];
    utf8_validator v;
    const bool fed = v.feed(s);
    ASSERT_EQ(fed, reference_viable(s)) << testing::PrintToString(s);
    ASSERT_EQ(fed && v.complete(), reference_valid(s)) << testing::PrintToString(s);
  }
}

// Verifies that feed() fails on the very byte that makes the input hopeless.
TEST(Utf8, FailsFastOnTheFirstHopelessByte) {
  const std::vector<std::string_view> hopeless = {
      "\xC0",
      "\xC1",
      "\xF5",
      "\xFF",
      "\x80",
      "\xBF",
      "\xE0\x80",
      "\xE0\x9F",
      "\xED\xA0",
      "\xED\xBF",
      "\xF0\x80",
      "\xF0\x8F",
      "\xF4\x90",
      "\xF4\xBF",
      "\xC2\x41",
      "\xE1\x80\xC2",
      "ok\xC2\xC2",
      "abcdefgh\xFE",
      "\xF1\x80\x80\x41",
  };
  for (auto s : hopeless) {
    const auto all = as_span(s);
    utf8_validator v;
    // Everything but the last byte is still viable; the last byte makes it fail.
    EXPECT_TRUE(v.feed(all.first(all.size() - 1))) << testing::PrintToString(std::string(s));
    EXPECT_FALSE(v.feed(all.last(1))) << testing::PrintToString(std::string(s));
  }
}

// Verifies that Autobahn 6.x style samples (boundaries, overlongs, surrogates) are judged right.
TEST(Utf8, KnownSamples) {
  const std::vector<std::string_view> valid = {
      "",
      "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!",
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5",  // "kosme" in Greek
      std::string_view("\x00", 1),
      "\xC2\x80",
      "\xE0\xA0\x80",
      "\xF0\x90\x80\x80",
      "\xED\x9F\xBF",  // U+D7FF, just below the surrogates
      "\xEE\x80\x80",  // U+E000, just above
      "\xEF\xBF\xBD",  // U+FFFD
      "\xEF\xBF\xBE",  // U+FFFE: a noncharacter, but valid UTF-8
      "\xEF\xBF\xBF",
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
  };
  for (auto s : valid)
    EXPECT_TRUE(is_valid_utf8(as_span(s))) << testing::PrintToString(std::string(s));
  const std::vector<std::string_view> invalid = {
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64",
      "\xF4\x90\x80\x80",          // U+110000
      "\xF8\x88\x80\x80\x80",      // 5-byte form
      "\xFC\x84\x80\x80\x80\x80",  // 6-byte form
      "\xC0\xAF",                  // overlong '/'
      "\xE0\x80\xAF",
      "\xF0\x80\x80\xAF",
      "\xC1\xBF",
      "\xED\xA0\x80",              // U+D800
      "\xED\xBF\xBF",              // U+DFFF
      "\xED\xA0\x80\xED\xB0\x80",  // a surrogate pair, CESU-8 style
      "\xC2",                      // truncated
      "\xE2\x82",
      "\xF0\x9F\x98",
      "\x80",
      "abc\xFE",
  };
  for (auto s : invalid)
    EXPECT_FALSE(is_valid_utf8(as_span(s))) << testing::PrintToString(std::string(s));
}

// Verifies that a text cut into pieces anywhere gives the same verdict as at once.
TEST(Utf8, IncrementalFeedingMatchesOneShot) {
  const std::vector<std::string_view> texts = {
      "plain ascii text that is longer than eight bytes",
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 \xF0\x9F\x98\x80 and ascii \xE2\x82\xAC.",
      "abcdefg\xF0\x9F\x98\x80hijklmnopqrstuvwxyz\xC3\xA9",
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64",
      "0123456789abcdef\xF4\x90\x80\x80",
  };
  for (auto t : texts) {
    const auto all = as_span(t);
    const bool expected = is_valid_utf8(all);
    for (std::size_t a = 0; a <= all.size(); ++a) {
      for (std::size_t b = a; b <= all.size(); ++b) {
        utf8_validator v;
        const bool ok = v.feed(all.first(a)) && v.feed(all.subspan(a, b - a)) &&
                        v.feed(all.subspan(b)) && v.complete();
        ASSERT_EQ(ok, expected) << "cuts " << a << "," << b << " in "
                                << testing::PrintToString(std::string(t));
      }
    }
  }
}

// Verifies that complete() is false while a sequence waits for continuation bytes.
TEST(Utf8, CompleteOnlyOnCharacterBoundary) {
  const auto euro = as_span("\xE2\x82\xAC");
  utf8_validator v;
  EXPECT_TRUE(v.complete());
  EXPECT_TRUE(v.feed(euro.first(1)));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed(euro.subspan(1, 1)));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed(euro.subspan(2)));
  EXPECT_TRUE(v.complete());
}

// Verifies that failure is sticky until reset(), and reset() starts a fresh text.
TEST(Utf8, FailureIsStickyUntilReset) {
  utf8_validator v;
  EXPECT_FALSE(v.feed(as_span("\xFF")));
  EXPECT_FALSE(v.feed(as_span("a")));
  EXPECT_FALSE(v.complete());
  v.reset();
  EXPECT_TRUE(v.feed(as_span("a")));
  EXPECT_TRUE(v.complete());
  EXPECT_TRUE(v.feed(as_span("\xC3")));
  v.reset();
  EXPECT_TRUE(v.complete());
}

// Verifies that an invalid byte right after a long ASCII run is caught (fast-path exit).
TEST(Utf8, CatchesInvalidByteAtEveryPositionAfterAscii) {
  for (std::size_t pos = 0; pos < 40; ++pos) {
    bytes s(48, 'x');
    s[pos] = 0xFF;
    EXPECT_FALSE(is_valid_utf8(s)) << pos;
    s[pos] = 0xC3;
    s[pos + 1] = 0xA9;
    EXPECT_TRUE(is_valid_utf8(s)) << pos;
  }
}

}  // namespace
