// Incremental UTF-8 validation for text messages and close reasons (RFC 6455 section 8.1).
#pragma once

#include <cstdint>
#include <span>

namespace h2ws::ws {

/// Validates UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) fed in
/// pieces of any size, so a text message can be checked frame by frame and chunk by chunk as it
/// arrives, without buffering.
///
/// It fails fast: `feed` returns false at the first byte after which no continuation could make
/// the input valid (0xC0, 0xC1, 0xF5-0xFF, a stray continuation byte, E0 80-9F, ED A0-BF,
/// F0 80-8F, F4 90-BF, a lead byte where a continuation byte is due), which RFC 6455 asks of
/// endpoints and the Autobahn test suite checks.
class utf8_validator {
 public:
  /// Checks the next bytes of the text. Returns false once the text seen so far cannot begin
  /// any valid UTF-8; the validator then stays failed until reset().
  bool feed(std::span<const std::uint8_t> bytes) noexcept;

  /// True when the bytes fed so far are valid and end on a character boundary (no sequence is
  /// waiting for its continuation bytes). Call it at the end of the message.
  bool complete() const noexcept { return state_ == 0; }

  /// Forgets everything fed so far, to start a new text.
  void reset() noexcept { state_ = 0; }

 private:
  std::uint8_t state_ = 0;  // a DFA state, see utf8_validator.cpp; 0 = on a character boundary
};

/// Whether `bytes` is a complete, valid UTF-8 text.
bool is_valid_utf8(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace h2ws::ws
