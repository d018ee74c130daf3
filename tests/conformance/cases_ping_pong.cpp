// 2.x Pings/Pongs: every ping is answered with a pong of the same payload (RFC 6455 5.5.2),
// unsolicited pongs are ignored (5.5.3), a ping over 125 bytes is a protocol error (5.5).
#include "catalogue.hpp"

namespace h2ws::conformance {

std::vector<case_spec> ping_pong_cases() {
  using namespace std::string_literals;
  std::vector<case_spec> cases;
  const std::string binary_payload = "\x00\xff\xfe\xfd\xfc\xfb\x00\xff"s;
  const std::string max_payload(125, '\xfe');

  cases.push_back(delivered("2.1", "ping without payload: pong without payload",
                            {frame(ws::opcode::ping, "")}, {}, {""}));
  cases.push_back(delivered("2.2", "ping with a small text payload: pong with the same payload",
                            {frame(ws::opcode::ping, "Hello, world!")}, {}, {"Hello, world!"}));
  cases.push_back(delivered("2.3", "ping with a small binary (non UTF-8) payload: same pong",
                            {frame(ws::opcode::ping, binary_payload)}, {}, {binary_payload}));
  cases.push_back(delivered("2.4", "ping with a 125-byte payload (the maximum): same pong",
                            {frame(ws::opcode::ping, max_payload)}, {}, {max_payload}));
  cases.push_back(violation("2.5", "ping with a 126-byte payload: close 1002, no pong",
                            {frame(ws::opcode::ping, std::string(126, '\xfe'))},
                            error::bad_control_frame, 1002));
  cases.push_back(delivered("2.6", "ping with a 125-byte payload, sent in 1-byte chunks: same pong",
                            octets(frame(ws::opcode::ping, max_payload)), {}, {max_payload}));
  cases.push_back(delivered("2.7", "unsolicited pong without payload: ignored",
                            {frame(ws::opcode::pong, "")}, {}));
  cases.push_back(delivered("2.8", "unsolicited pong with payload: ignored",
                            {frame(ws::opcode::pong, "unsolicited pong payload")}, {}));
  cases.push_back(delivered("2.9", "unsolicited pong, then a ping: only the ping is answered",
                            {frame(ws::opcode::pong, "unsolicited pong payload"),
                             frame(ws::opcode::ping, "ping payload")},
                            {}, {"ping payload"}));
  {
    std::string pings;
    std::vector<std::string> pongs;
    for (int i = 0; i < 10; ++i) {
      pongs.push_back("payload-" + std::to_string(i));
      pings += frame(ws::opcode::ping, pongs.back());
    }
    cases.push_back(delivered("2.10", "10 pings in a row: 10 pongs, in order", {pings}, {}, pongs));
    cases.push_back(delivered("2.11",
                              "10 pings in a row, sent in 1-byte chunks: 10 pongs, in order",
                              octets(pings), {}, pongs));
  }
  cases.push_back(delivered("2.12", "a message between pings: delivered, both pings answered",
                            {frame(ws::opcode::ping, "first") + frame(ws::opcode::text, "hello") +
                             frame(ws::opcode::ping, "second")},
                            {message::text("hello")}, {"first", "second"}));
  cases.push_back(
      violation("2.13", "a valid ping, then one of 126 bytes: the first answered, then close 1002",
                {frame(ws::opcode::ping, "ok") + frame(ws::opcode::ping, std::string(126, 'x'))},
                error::bad_control_frame, 1002, {}, {"ok"}));
  return cases;
}

}  // namespace h2ws::conformance
