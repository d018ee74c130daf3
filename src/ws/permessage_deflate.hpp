// permessage-deflate (RFC 7692): negotiation of the sec-websocket-extensions header and
// per-message compression with zlib's raw deflate. Pure: no I/O, no Asio.
#pragma once

#include "ws/frame.hpp"
#include <h2ws/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::ws {

/// The settings of one permessage-deflate agreement (RFC 7692 section 7.1), the same on both
/// ends; `role` decides which half applies to which direction. The server compresses with the
/// `server_*` settings and the client inflates with them; the `client_*` settings govern the
/// other direction.
///
/// Window bits are 8..15 (a window of 2^bits bytes). zlib cannot compress raw deflate with an
/// 8-bit window, so a deflater told 8 uses 9: zlib never emits a distance above 2^bits - 262 =
/// 250 bytes there, so its output still fits a 256-byte window.
struct deflate_params {
  bool server_no_context_takeover = false;  ///< The server resets its window after each message.
  bool client_no_context_takeover = false;  ///< The client resets its window after each message.
  int server_max_window_bits = 15;          ///< Window of server-to-client messages.
  int client_max_window_bits = 15;          ///< Window of client-to-server messages.
  bool operator==(const deflate_params&) const = default;
};

/// The sec-websocket-extensions value a client sends to ask for `wanted`, e.g.
/// "permessage-deflate; client_max_window_bits". It always carries client_max_window_bits (we
/// accept any window the server imposes), with `=N` when `wanted.client_max_window_bits` < 15;
/// server_max_window_bits=N only when `wanted.server_max_window_bits` < 15; and each
/// *_no_context_takeover that is set. Throws std::invalid_argument for window bits outside 8..15.
/// Note that most servers use zlib, which cannot compress with 8 bits: ask for 9 or more.
std::string client_offer(const deflate_params& wanted);

/// Checks the server's sec-websocket-extensions answer (several header fields joined with ",")
/// against the offer `client_offer(offered)` made. Sets `out` to the agreed settings, or to
/// nullopt when the answer is empty (the server declined: no compression, no error). Returns
/// `error::bad_extension_negotiation` (and leaves `out` nullopt) when the answer breaks RFC 6455
/// section 9.1 syntax or RFC 7692: an extension other than permessage-deflate (none other was
/// offered), permessage-deflate twice, an unknown parameter, a duplicate parameter, a value where
/// none belongs or none where one is required, window bits that are not 8..15 written without a
/// leading zero, server_max_window_bits above the offered value, or a parameter we offered
/// missing from the answer (RFC 7692 7.1.1.1 and 7.1.2.1: the server accepts
/// server_no_context_takeover and server_max_window_bits only by echoing them).
/// The client's own settings are the stricter of what it offered and what the server imposed.
boost::system::error_code parse_server_answer(std::string_view header,
                                              const deflate_params& offered,
                                              std::optional<deflate_params>& out);

/// What a server agreed to: the settings for its deflater and inflater (role::server) and the
/// sec-websocket-extensions value to answer with.
struct deflate_agreement {
  deflate_params params;
  std::string response;
};

/// Server side: picks the first permessage-deflate offer in a client's sec-websocket-extensions
/// list (several header fields joined with ",") that RFC 7692 section 5 does not require us to
/// decline (unknown, duplicate or invalid parameter), and answers it. `limits` are the server's
/// own wishes: no_context_takeover flags are added to the client's, window bits are capped to
/// them. A client that did not offer client_max_window_bits cannot be limited, so its offer is
/// declined when `limits.client_max_window_bits` < 15. Returns nullopt when no offer is
/// acceptable or the header is malformed: answer without the extension.
std::optional<deflate_agreement> accept_client_offer(std::string_view offers,
                                                     const deflate_params& limits = {});

/// Compresses whole messages for one direction of a websocket (the `local_role` side's sends),
/// RFC 7692 section 7.2.1: raw deflate, a sync flush at the end of each message with its
/// trailing 00 00 ff ff removed, and the window kept from message to message unless our side's
/// no_context_takeover was agreed.
///
/// Memory: zlib allocates everything at construction, about (1 << (bits + 2)) +
/// (1 << (mem_level + 9)) bytes plus ~6 KiB of state (bits = our side's window, 9 for 8).
/// With the default mem_level 8 that is 262 KiB for 15 bits, 136 KiB for 9; mem_level 1..9
/// trades compression ratio for memory. `memory()` reports the exact figure.
///
/// Not thread safe. Throws std::invalid_argument for window bits or mem_level out of range,
/// std::bad_alloc when zlib cannot allocate.
class deflater {
 public:
  /// `level`: zlib's 0..9, or -1 for its default.
  deflater(role local_role, const deflate_params& params, int mem_level = 8, int level = -1);
  ~deflater();
  deflater(deflater&&) noexcept;
  deflater& operator=(deflater&&) noexcept;

  /// Appends the compressed form of one whole message to `out`: the payload of a message sent
  /// with RSV1 on its first frame. An empty message becomes the single byte 00 (RFC 7692
  /// section 7.2.3.6).
  void compress(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out);

  /// Bytes zlib currently holds for this deflater.
  std::size_t memory() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

/// Inflates whole messages received with RSV1 (the peer's direction), RFC 7692 section 7.2.2:
/// appends 00 00 ff ff to the payload and inflates with the peer's window bits, keeping the
/// window from message to message unless the peer's no_context_takeover was agreed. A message
/// that ends with a final (BFINAL) block, which section 7.2.3.4 allows, is accepted and the
/// window carried over. UTF-8 of text messages is the caller's to check on the output.
///
/// Memory: ~7 KiB of state at construction, plus the window (1 << bits bytes) from the first
/// message on. `memory()` reports the exact figure. Output grows in steps of 16 KiB.
///
/// Not thread safe. Throws std::invalid_argument for window bits out of range, std::bad_alloc
/// when zlib cannot allocate.
class inflater {
 public:
  inflater(role local_role, const deflate_params& params);
  ~inflater();
  inflater(inflater&&) noexcept;
  inflater& operator=(inflater&&) noexcept;

  /// Inflates the payload of one whole message and appends it to `out`. `max_size` caps the
  /// bytes this call may append (0 = no cap): inflating stops as soon as the output passes it,
  /// so a small payload that would expand hugely (a decompression bomb) never takes more than
  /// `max_size` + 1 bytes of `out`, and the call returns `error::message_too_big` (close code
  /// 1009). Data that is not valid deflate, or that does not end on a block boundary, returns
  /// `error::inflate_failed` (close code 1007). On error `out` is restored to its size before
  /// the call and the inflater stays failed: every later call returns the same error.
  /// An empty payload is an empty message.
  boost::system::error_code decompress(std::span<const std::uint8_t> payload, std::size_t max_size,
                                       std::string& out);

  /// Bytes zlib currently holds for this inflater.
  std::size_t memory() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace h2ws::ws
