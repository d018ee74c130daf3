// 3.x Reserved bits: with no extension negotiated, RSV1-3 must be 0 on every frame; otherwise
// the client fails the websocket with 1002 (RFC 6455 5.2). What came before is still delivered.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

const char* opcode_name(ws::opcode op) {
  switch (op) {
    case ws::opcode::continuation:
      return "continuation";
    case ws::opcode::text:
      return "text";
    case ws::opcode::binary:
      return "binary";
    case ws::opcode::close:
      return "close";
    case ws::opcode::ping:
      return "ping";
    case ws::opcode::pong:
      return "pong";
  }
  return "?";
}

}  // namespace

std::vector<case_spec> reserved_bits_cases() {
  std::vector<case_spec> cases;
  const std::string hello = "Hello, world!";
  const auto valid = frame(ws::opcode::text, hello);
  const auto ping = frame(ws::opcode::ping, hello);

  cases.push_back(violation("3.1", "text message with RSV = 1: close 1002",
                            {frame(ws::opcode::text, hello, true, 1)}, error::bad_reserved_bits,
                            1002));
  cases.push_back(violation("3.2",
                            "a text message, then one with RSV = 2, then a ping (unanswered)",
                            {valid + frame(ws::opcode::text, hello, true, 2) + ping},
                            error::bad_reserved_bits, 1002, {message::text(hello)}));
  cases.push_back(violation("3.3", "as 3.2 with RSV = 3, each frame in a chunk of its own",
                            {valid, frame(ws::opcode::text, hello, true, 3), ping},
                            error::bad_reserved_bits, 1002, {message::text(hello)}));
  cases.push_back(violation("3.4", "as 3.2 with RSV = 4, sent in 1-byte chunks",
                            octets(valid + frame(ws::opcode::text, hello, true, 4) + ping),
                            error::bad_reserved_bits, 1002, {message::text(hello)}));
  cases.push_back(violation("3.5", "binary message with RSV = 5: close 1002",
                            {frame(ws::opcode::binary, std::string(8, '\xff'), true, 5)},
                            error::bad_reserved_bits, 1002));
  cases.push_back(violation("3.6", "ping with RSV = 6: close 1002, no pong",
                            {frame(ws::opcode::ping, hello, true, 6)}, error::bad_reserved_bits,
                            1002));
  cases.push_back(violation("3.7", "close with RSV = 7: close 1002 (not an echo of 1000)",
                            {frame(ws::opcode::close, std::string("\x03\xe8", 2), true, 7)},
                            error::bad_reserved_bits, 1002));

  // 3.8.x (h2ws): every RSV combination on every frame type, after a valid message. A
  // continuation is sent inside a fragmented text message.
  int n = 1;
  for (auto op : {ws::opcode::text, ws::opcode::binary, ws::opcode::continuation, ws::opcode::ping,
                  ws::opcode::pong, ws::opcode::close}) {
    for (std::uint8_t rsv = 1; rsv <= 7; ++rsv) {
      std::string bad;
      if (op == ws::opcode::continuation) bad = frame(ws::opcode::text, "start", false);
      bad += frame(op, op == ws::opcode::close ? std::string("\x03\xe8", 2) : hello, true, rsv);
      cases.push_back(violation("3.8." + std::to_string(n++),
                                std::string("a valid message, then a ") + opcode_name(op) +
                                    " frame with RSV = " + std::to_string(rsv) + ": close 1002",
                                {valid, bad + ping}, error::bad_reserved_bits, 1002,
                                {message::text(hello)}));
    }
  }
  return cases;
}

}  // namespace h2ws::conformance
