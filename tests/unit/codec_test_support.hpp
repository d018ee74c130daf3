// Helpers shared by the codec unit tests: a frame encoder independent of the writer (so reader
// tests do not trust the code under test), and drivers that feed a reader in every possible way.
#pragma once

#include "ws/event.hpp"
#include "ws/frame.hpp"
#include "ws/reader.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::ws {

// gtest finds these through ADL, so failing comparisons print the events, not raw bytes.
void PrintTo(const message_event& e, std::ostream* os);
void PrintTo(const ping_event& e, std::ostream* os);
void PrintTo(const pong_event& e, std::ostream* os);
void PrintTo(const close_event& e, std::ostream* os);

}  // namespace h2ws::ws

namespace h2ws::ws::test {

using bytes = std::vector<std::uint8_t>;

/// The bytes of a string, for payloads written as literals.
bytes to_bytes(std::string_view s);

/// The key of the RFC 6455 section 5.7 examples (wire bytes 37 fa 21 3d).
inline constexpr std::uint32_t rfc_key = 0x37fa213d;

/// A frame as it goes on the wire, with every field settable, including illegal ones.
struct raw_frame {
  std::uint8_t opcode = 1;  // raw 4-bit value, so reserved opcodes can be sent
  std::string payload{};
  bool fin = true;
  bool rsv1 = false;
  bool rsv2 = false;
  bool rsv3 = false;
  std::optional<std::uint32_t> mask =
      std::nullopt;     // masked with this key (big-endian wire order) when set
  int length_bits = 0;  // 7, 16 or 64 to force a length form; 0 = minimal
  std::optional<std::uint64_t> declared_length = std::nullopt;  // overrides the length field
};

/// Encodes `f` with its own byte-wise masking, independent of apply_mask and the writer.
bytes encode(const raw_frame& f);

/// Shorthands: a frame as a server sends it (unmasked) and as a client sends it (masked).
bytes server_frame(opcode op, std::string_view payload, bool fin = true);
bytes client_frame(opcode op, std::string_view payload, bool fin = true,
                   std::uint32_t key = rfc_key);

/// Concatenates byte strings, to build streams of frames.
bytes concat(std::initializer_list<bytes> parts);

/// Everything a reader produced for one input.
struct parse_result {
  std::vector<event> events;
  boost::system::error_code error;
  bool close_received = false;
  bool operator==(const parse_result&) const = default;
};
void PrintTo(const parse_result& r, std::ostream* os);

/// Feeds `input` to a fresh reader in pieces of `chunk` bytes (0 = all at once).
parse_result parse_chunked(role r, const reader_limits& limits, const bytes& input,
                           std::size_t chunk = 0);

/// The same, the events handed to a reader_sink as they are parsed instead of queued.
parse_result parse_with_sink(role r, const reader_limits& limits, const bytes& input,
                             std::size_t chunk = 0);

/// Feeds `input` to a fresh reader in two pieces, cut before byte `at`.
parse_result parse_split(role r, const reader_limits& limits, const bytes& input, std::size_t at);

/// Parses `input` at once, one byte at a time (queued, and handed to a sink) and cut in two at
/// every byte (only for inputs of at most `max_split_input` bytes, to keep the test quadratic cost
/// small); expects every way to give the same result and returns it.
inline constexpr std::size_t max_split_input = 4096;
parse_result parse_everywhere(role r, const bytes& input, const reader_limits& limits = {});

/// The events for common expectations.
event text(std::string_view s);
event binary(std::string_view s);

}  // namespace h2ws::ws::test
