// One conformance case: what the scripted server puts on the wire, and what
// RFC 6455 / RFC 8441 require the client to do about it.
#pragma once

#include "server/server_context.hpp"
#include "ws/event.hpp"
#include "ws/frame.hpp"
#include <h2ws/h2ws.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::conformance {

/// How the server's side of the stream ends after its chunks are written.
enum class server_ending {
  wait_for_client_close,  ///< read until the client's close frame, echo it, END_STREAM
  end_stream,             ///< END_STREAM right after the chunks, no close frame
  reset,                  ///< RST_STREAM (reset_code) right after the chunks
  drop_connection,        ///< close every TCP connection right after the chunks
};

struct case_spec {
  std::string id;     ///< Autobahn-style number, e.g. "5.6"; the section is the part before '.'
  std::string title;  ///< what the case checks, one line
  /// The answer to the CONNECT (status, headers, END_STREAM, no answer at all).
  detail::scripted_answer answer;
  /// Raw bytes the server writes on the stream, one write per chunk, a short pause between.
  std::vector<std::string> chunks;
  server_ending ending = server_ending::wait_for_client_close;
  std::uint32_t reset_code = 0;
  /// Client settings for the case (limits, timeouts).
  options client;
  /// What the client does before reading: messages it sends (the server ignores them).
  std::vector<message> client_sends;

  // Expectations.
  /// The open must fail with this error (then nothing else is checked but the status).
  std::optional<boost::system::error_code> expect_open_error;
  /// Messages receive() must yield, in order, before it fails.
  std::vector<message> expect_messages;
  /// The error receive() reports once the messages are exhausted.
  boost::system::error_code expect_receive_error;
  /// The close code the client must put on the wire; nullopt = no close frame expected.
  std::optional<std::uint16_t> expect_close_code;
  /// Pong payloads the client must send (answers to the server's pings), in order.
  std::vector<std::string> expect_pongs;
  /// The peer close code the websocket reports afterwards (0 = not checked).
  std::uint16_t expect_peer_close_code = 0;
};

/// What actually happened.
struct case_outcome {
  boost::system::error_code open_error;
  std::vector<message> messages;
  boost::system::error_code receive_error;
  std::optional<std::uint16_t> close_code_on_wire;
  std::vector<std::string> pongs;
  bool client_frames_masked = true;  ///< every frame the client sent was masked
  bool client_frames_valid = true;   ///< the server-side parser found no violation
  std::uint16_t peer_close_code = 0;
  std::chrono::milliseconds took{0};
};

/// Runs one case against a fresh scripted server on 127.0.0.1 (bounded in time).
case_outcome run_case(const case_spec& spec);

/// Frame builders for the server side (unmasked, as a server sends).
std::string frame(ws::opcode op, std::string_view payload, bool fin = true, std::uint8_t rsv = 0);
std::string close_frame(std::uint16_t code, std::string_view reason = {});
/// A frame with a raw first byte (for reserved opcodes and bits).
std::string raw_frame(std::uint8_t first_byte, std::string_view payload);
/// A frame header announcing `length` payload bytes (unmasked), for frames sent in pieces.
std::string frame_header(std::uint8_t first_byte, std::uint64_t length);
/// `payload` as a message of frames of at most `fragment` payload bytes (0 = one frame).
std::string fragmented(ws::opcode op, const std::string& payload, std::size_t fragment);

/// `bytes` cut into chunks of `chunk` bytes (0 = one chunk).
std::vector<std::string> chunks_of(std::string bytes, std::size_t chunk);
/// Every byte of `bytes` as a chunk of its own.
std::vector<std::string> octets(const std::string& bytes);

/// A case whose messages (and pongs) the client must deliver, then a normal close (1000, appended).
case_spec delivered(std::string id, std::string title, std::vector<std::string> chunks,
                    std::vector<message> messages, std::vector<std::string> pongs = {});
/// A case the client must fail with `e` and `close_code` on the wire, after `messages` and `pongs`.
case_spec violation(std::string id, std::string title, std::vector<std::string> chunks, error e,
                    std::uint16_t close_code, std::vector<message> messages = {},
                    std::vector<std::string> pongs = {});
/// A case whose open must fail with `e`, the server answering the CONNECT as `answer`.
case_spec failed_open(std::string id, std::string title, detail::scripted_answer answer, error e,
                      options client = {});

}  // namespace h2ws::conformance
