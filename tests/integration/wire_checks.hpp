// Test assertions on the WebSocket frames a connection carried (recorded by tcp_relay,
// decoded by wire::decode_websocket).
#pragma once

#include "wire_frames.hpp"
#include <h2ws/message.hpp>

#include <cstddef>
#include <vector>

namespace h2ws::test {

/// What one direction of a websocket should have carried on the wire (see tcp_relay's
/// recording and wire::decode_websocket).
struct wire_expectation {
  std::vector<message> messages;  ///< the data messages, in order
  std::size_t frame_limit = 0;    ///< the sender's max_send_frame_size (0: no limit)
  bool masked = false;            ///< the client's frames are masked, the server's are not
  bool compressed = false;        ///< permessage-deflate: every message compressed
};

/// Checks `frames` against `expected`, failing the test on each difference: every frame
/// masked (or not) as expected, no RSV2/RSV3, payloads of at most frame_limit bytes; the data
/// frames (control frames may come between them) form expected.messages in order, each as a
/// first frame with the message's opcode followed by continuations (opcode 0), FIN on the last
/// frame only, RSV1 on the first frame only and only if compressed, and as few frames as the
/// limit allows: max(1, ceil(payload bytes on the wire / frame_limit)); uncompressed, the
/// payloads put together are the message. Returns the number of frames of each data message.
std::vector<std::size_t> expect_wire_frames(const std::vector<wire::ws_frame>& frames,
                                            const wire_expectation& expected);

}  // namespace h2ws::test
