/// \file
/// One WebSocket message: text or binary payload, owned.
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
  /// The two kinds of data message (RFC 6455 opcodes 0x1 and 0x2).
  enum class kind : unsigned char {
    text,   ///< A text message (opcode 0x1): UTF-8, validated on receipt.
    binary  ///< A binary message (opcode 0x2): any bytes.
  };

  /// An empty text message.
  message() = default;
  /// A message of kind `k` that owns `payload`.
  message(kind k, std::string payload) : kind_(k), payload_(std::move(payload)) {}

  /// A text message; the payload must be valid UTF-8 (checked by the receiver).
  static message text(std::string payload) { return {kind::text, std::move(payload)}; }
  /// A binary message.
  static message binary(std::string payload) { return {kind::binary, std::move(payload)}; }
  /// A binary message holding a copy of `payload`.
  static message binary(std::span<const std::byte> payload) {
    return {kind::binary,
            std::string(reinterpret_cast<const char*>(payload.data()), payload.size())};
  }

  /// The kind of the message.
  kind type() const noexcept { return kind_; }
  /// True for a text message.
  bool is_text() const noexcept { return kind_ == kind::text; }
  /// True for a binary message.
  bool is_binary() const noexcept { return kind_ == kind::binary; }

  /// The payload as characters, whatever the kind.
  std::string_view text() const noexcept { return payload_; }
  /// The payload as bytes, whatever the kind.
  std::span<const std::byte> bytes() const noexcept {
    return {reinterpret_cast<const std::byte*>(payload_.data()), payload_.size()};
  }
  /// The payload size in bytes.
  std::size_t size() const noexcept { return payload_.size(); }

  /// The payload itself, to move out without a copy.
  std::string& payload() & noexcept { return payload_; }
  /// The payload itself, moved out of a message about to be discarded.
  std::string&& payload() && noexcept { return std::move(payload_); }

  /// Whether this message is compressed when permessage-deflate was agreed (default true).
  /// Turn it off for payloads that do not shrink (images, archives, encrypted data): the
  /// message then goes out as is (RSV1 clear), which RFC 7692 allows on a compressed
  /// websocket. Only the sender's choice: not carried to the receiver.
  void set_compress(bool on) noexcept { compress_ = on; }
  /// See set_compress().
  bool compress() const noexcept { return compress_; }

  /// Equal when kind and payload are equal.
  friend bool operator==(const message& a, const message& b) noexcept {
    return a.kind_ == b.kind_ && a.payload_ == b.payload_;
  }

 private:
  kind kind_ = kind::text;
  bool compress_ = true;
  std::string payload_;
};

}  // namespace h2ws
