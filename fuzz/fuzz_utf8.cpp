// fuzz_utf8: the incremental UTF-8 validator against the one-shot check and against a plain
// reference decoder written from RFC 3629's table (section 4), byte range by byte range.
//
// Input: [split][text ...]; the text is cut at split * size / 255.
//
// Invariants checked:
//   - feeding the two parts then asking complete() agrees with is_valid_utf8(text) and with the
//     reference;
//   - fail-fast: feed() returns false exactly when the bytes so far cannot start any valid text
//     (checked on the first part and on the whole), and stays false;
//   - reset() forgets: the second part alone then validates as is_valid_utf8(second part).
#include "check.hpp"
#include "ws/utf8_validator.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace {

enum class verdict {
  valid,       // complete, valid UTF-8
  incomplete,  // a valid prefix cut inside the last character
  invalid,     // no continuation can make it valid
};

// RFC 3629 section 4: the well-formed byte sequences, the second byte's range depending on the
// first byte.
verdict reference(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    if (b <= 0x7F) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b == 0xE0) {
      length = 3;
      lo = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      length = 3;
    } else if (b == 0xED) {
      length = 3;
      hi = 0x9F;
    } else if (b == 0xF0) {
      length = 4;
      lo = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      length = 4;
    } else if (b == 0xF4) {
      length = 4;
      hi = 0x8F;
    } else {
      return verdict::invalid;  // 80..C1, F5..FF
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= s.size()) return verdict::incomplete;
      const std::uint8_t c = s[i + k];
      const std::uint8_t l = k == 1 ? lo : 0x80;
      const std::uint8_t h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) return verdict::invalid;
    }
    i += length;
  }
  return verdict::valid;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using h2ws::ws::is_valid_utf8;
  using h2ws::ws::utf8_validator;
  if (size == 0) return 0;
  const std::span<const std::uint8_t> text(data + 1, size - 1);
  const std::size_t split = static_cast<std::size_t>(data[0]) * text.size() / 255;
  const auto first = text.first(split);
  const auto second = text.subspan(split);

  const bool one_shot = is_valid_utf8(text);
  const verdict expected = reference(text);
  H2WS_FUZZ_CHECK(one_shot == (expected == verdict::valid));

  utf8_validator v;
  const bool first_ok = v.feed(first);
  H2WS_FUZZ_CHECK(first_ok == (reference(first) != verdict::invalid));
  const bool second_ok = v.feed(second);
  // Sticky: once failed, more bytes cannot revive it.
  if (!first_ok) H2WS_FUZZ_CHECK(!second_ok);
  H2WS_FUZZ_CHECK(second_ok == (expected != verdict::invalid));
  H2WS_FUZZ_CHECK((first_ok && second_ok && v.complete()) == one_shot);
  if (!second_ok) H2WS_FUZZ_CHECK(!v.complete());

  v.reset();
  H2WS_FUZZ_CHECK(v.complete());
  H2WS_FUZZ_CHECK((v.feed(second) && v.complete()) == is_valid_utf8(second));
  return 0;
}
