// One WebSocket message: text or binary payload, owned.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace h2ws {

/// A complete WebSocket message. Text and binary payloads are both kept in a
/// std::string (bytes, not necessarily UTF-8 for binary) so either can be
/// read without a copy.
class message {
 public:
  enum class kind : unsigned char { text, binary };

  message() = default;
  message(kind k, std::string payload) : kind_(k), payload_(std::move(payload)) {}

  /// A text message; the payload must be valid UTF-8 (checked by the receiver).
  static message text(std::string payload) { return {kind::text, std::move(payload)}; }
  /// A binary message.
  static message binary(std::string payload) { return {kind::binary, std::move(payload)}; }
  static message binary(std::span<const std::byte> payload) {
    return {kind::binary,
            std::string(reinterpret_cast<const char*>(payload.data()), payload.size())};
  }

  kind type() const noexcept { return kind_; }
  bool is_text() const noexcept { return kind_ == kind::text; }
  bool is_binary() const noexcept { return kind_ == kind::binary; }

  /// The payload as characters, whatever the kind.
  std::string_view text() const noexcept { return payload_; }
  /// The payload as bytes, whatever the kind.
  std::span<const std::byte> bytes() const noexcept {
    return {reinterpret_cast<const std::byte*>(payload_.data()), payload_.size()};
  }
  std::size_t size() const noexcept { return payload_.size(); }

  /// The payload itself, to move out without a copy.
  std::string& payload() & noexcept { return payload_; }
  std::string&& payload() && noexcept { return std::move(payload_); }

  friend bool operator==(const message&, const message&) = default;

 private:
  kind kind_ = kind::text;
  std::string payload_;
};

}  // namespace h2ws
