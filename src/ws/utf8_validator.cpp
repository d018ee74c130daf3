#include "ws/utf8_validator.hpp"

#include <array>
#include <cstring>

namespace h2ws::ws {

namespace {

// A DFA in the manner of Bjoern Hoehrmann's decoder: bytes are first mapped to a few classes,
// then (state, class) gives the next state. The tables are built from the RFC 3629 byte ranges
// below rather than pasted as magic numbers, so each transition can be read off the code.

// Byte classes. Continuation bytes are split by range because some lead bytes only accept part
// of the 80..BF range as their first continuation.
enum byte_class : std::uint8_t {
  ascii,    // 00..7F
  cont_80,  // 80..8F
  cont_90,  // 90..9F
  cont_a0,  // A0..BF
  invalid,  // C0, C1 (always overlong), F5..FF (above U+10FFFF)
  lead_2,   // C2..DF
  lead_e0,  // E0: next byte A0..BF, or the sequence would be overlong
  lead_3,   // E1..EC, EE, EF
  lead_ed,  // ED: next byte 80..9F, or it would encode a surrogate
  lead_f0,  // F0: next byte 90..BF, or it would be overlong
  lead_4,   // F1..F3
  lead_f4,  // F4: next byte 80..8F, or it would exceed U+10FFFF
  class_count,
};

// States. `accept` must be 0 (see utf8_validator::state_).
enum state : std::uint8_t {
  accept,    // on a character boundary
  reject,    // failed; sticky
  need_1,    // one continuation byte 80..BF due
  need_2,    // two continuation bytes due
  need_3,    // three continuation bytes due
  after_e0,  // E0 seen: A0..BF then need_1
  after_ed,  // ED seen: 80..9F then need_1
  after_f0,  // F0 seen: 90..BF then need_2
  after_f4,  // F4 seen: 80..8F then need_2
  state_count,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> c{};
  for (int b = 0; b < 256; ++b) {
    std::uint8_t k = invalid;
    if (b <= 0x7F)
      k = ascii;
    else if (b <= 0x8F)
      k = cont_80;
    else if (b <= 0x9F)
      k = cont_90;
    else if (b <= 0xBF)
      k = cont_a0;
    else if (b <= 0xC1)
      k = invalid;
    else if (b <= 0xDF)
      k = lead_2;
    else if (b == 0xE0)
      k = lead_e0;
    else if (b == 0xED)
      k = lead_ed;
    else if (b <= 0xEF)
      k = lead_3;
    else if (b == 0xF0)
      k = lead_f0;
    else if (b <= 0xF3)
      k = lead_4;
    else if (b == 0xF4)
      k = lead_f4;
    c[static_cast<std::size_t>(b)] = k;
  }
  return c;
}

using transition_table = std::array<std::array<std::uint8_t, class_count>, state_count>;

constexpr transition_table make_transitions() {
  transition_table t{};
  for (auto& row : t) row.fill(reject);  // anything not listed below is an error
  t[accept][ascii] = accept;
  t[accept][lead_2] = need_1;
  t[accept][lead_e0] = after_e0;
  t[accept][lead_3] = need_2;
  t[accept][lead_ed] = after_ed;
  t[accept][lead_f0] = after_f0;
  t[accept][lead_4] = need_3;
  t[accept][lead_f4] = after_f4;
  for (std::uint8_t c : {cont_80, cont_90, cont_a0}) {
    t[need_1][c] = accept;
    t[need_2][c] = need_1;
    t[need_3][c] = need_2;
  }
  t[after_e0][cont_a0] = need_1;
  t[after_ed][cont_80] = need_1;
  t[after_ed][cont_90] = need_1;
  t[after_f0][cont_90] = need_2;
  t[after_f0][cont_a0] = need_2;
  t[after_f4][cont_80] = need_2;
  return t;
}

constexpr auto classes = make_classes();
constexpr auto transitions = make_transitions();

constexpr std::uint64_t high_bits = 0x8080808080808080ULL;

}  // namespace

bool utf8_validator::feed(std::span<const std::uint8_t> bytes) noexcept {
  std::uint8_t s = state_;
  if (s == reject) return false;
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  while (n != 0) {
    if (s == accept) {
      // Fast path: on a boundary, skip ASCII eight bytes at a time (no byte has its top bit set).
      while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if ((word & high_bits) != 0) break;
        p += 8;
        n -= 8;
      }
      if (n == 0) break;
    }
    s = transitions[s][classes[*p]];
    if (s == reject) {
      state_ = reject;
      return false;
    }
    ++p;
    --n;
  }
  state_ = s;
  return true;
}

bool is_valid_utf8(std::span<const std::uint8_t> bytes) noexcept {
  utf8_validator v;
  return v.feed(bytes) && v.complete();
}

}  // namespace h2ws::ws
