// Checks and conversions of stdin lines and received messages: UTF-8, base64.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace h2ws::cli {

/// The offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or nothing when `s` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view s);

/// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64; padding may be left out. Nothing when `text` holds anything
/// else (a character outside the alphabet, a misplaced '=', a length that cannot be).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace h2ws::cli
