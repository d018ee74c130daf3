// 1.x Framing: text and binary messages of every payload length, whole and in chunks.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {
case_spec echo_case(std::string id, ws::opcode op, std::size_t size, std::size_t chunk = 0) {
  std::string payload(size, op == ws::opcode::text ? '*' : '\xfe');
  case_spec c;
  c.id = std::move(id);
  c.title = std::string(op == ws::opcode::text ? "text" : "binary") + " message of " +
            std::to_string(size) + " bytes" +
            (chunk ? ", delivered in " + std::to_string(chunk) + "-byte chunks" : "");
  auto bytes = frame(op, payload);
  if (chunk == 0) {
    c.chunks.push_back(bytes);
  } else {
    for (std::size_t i = 0; i < bytes.size(); i += chunk)
      c.chunks.push_back(bytes.substr(i, chunk));
  }
  c.chunks.push_back(close_frame(1000));
  c.expect_messages.push_back(op == ws::opcode::text ? message::text(payload)
                                                     : message::binary(payload));
  c.expect_receive_error = make_error_code(error::closed);
  c.expect_close_code = 1000;
  c.expect_peer_close_code = 1000;
  return c;
}
}  // namespace

std::vector<case_spec> framing_cases() {
  std::vector<case_spec> cases;
  const std::size_t sizes[] = {0, 125, 126, 127, 128, 65535, 65536};
  int n = 1;
  for (auto size : sizes)
    cases.push_back(echo_case("1.1." + std::to_string(n++), ws::opcode::text, size));
  cases.push_back(echo_case("1.1." + std::to_string(n++), ws::opcode::text, 65536, 997));
  n = 1;
  for (auto size : sizes)
    cases.push_back(echo_case("1.2." + std::to_string(n++), ws::opcode::binary, size));
  cases.push_back(echo_case("1.2." + std::to_string(n++), ws::opcode::binary, 65536, 997));
  cases.push_back(echo_case("1.2." + std::to_string(n++), ws::opcode::binary, 300, 1));
  return cases;
}

}  // namespace h2ws::conformance
