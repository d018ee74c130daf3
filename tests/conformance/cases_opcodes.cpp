// 4.x Opcodes: the reserved opcodes 3-7 (data) and 11-15 (control) fail the websocket with
// 1002 (RFC 6455 5.2); what came before is still delivered, what follows is not read.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

// Autobahn 4.1.x (opcodes 3-7) and 4.2.x (opcodes 11-15): the first opcode alone, the second
// alone with a payload, the last three after a valid message and followed by a ping.
void reserved_range(std::vector<case_spec>& cases, const std::string& group, int first_opcode) {
  const std::string hello = "Hello, world!";
  const auto valid = frame(ws::opcode::text, hello);
  const auto ping = frame(ws::opcode::ping, hello);
  for (int i = 0; i < 5; ++i) {
    const int op = first_opcode + i;
    const auto fin_and_op = static_cast<std::uint8_t>(0x80 | op);
    const auto id = group + std::to_string(i + 1);
    const auto name = "reserved opcode " + std::to_string(op);
    if (i == 0) {
      cases.push_back(violation(id, "frame with " + name + ": close 1002",
                                {raw_frame(fin_and_op, "")}, error::bad_opcode, 1002));
    } else if (i == 1) {
      cases.push_back(violation(id, "frame with " + name + " and a payload: close 1002",
                                {raw_frame(fin_and_op, "reserved opcode payload")},
                                error::bad_opcode, 1002));
    } else {
      cases.push_back(
          violation(id, "a text message, then a frame with " + name + ", then a ping (unanswered)",
                    {valid + raw_frame(fin_and_op, i == 2 ? "" : "reserved opcode payload") + ping},
                    error::bad_opcode, 1002, {message::text(hello)}));
    }
  }
}

}  // namespace

std::vector<case_spec> opcode_cases() {
  std::vector<case_spec> cases;
  reserved_range(cases, "4.1.", 3);
  reserved_range(cases, "4.2.", 11);

  // 4.3.x (h2ws): a reserved opcode inside a fragmented message, with FIN clear; the partial
  // message is never delivered.
  int n = 1;
  for (int op : {3, 7, 11, 15}) {
    cases.push_back(violation(
        "4.3." + std::to_string(n++),
        "reserved opcode " + std::to_string(op) + " between two fragments of a text message",
        {frame(ws::opcode::text, "fragment1", false) +
         raw_frame(static_cast<std::uint8_t>(op), "x") +
         frame(ws::opcode::continuation, "fragment2")},
        error::bad_opcode, 1002));
  }
  return cases;
}

}  // namespace h2ws::conformance
