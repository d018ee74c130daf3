// 1.x Framing: text and binary messages of every payload length, whole and in chunks.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {
case_spec echo_case(std::string id, ws::opcode op, std::size_t size, std::size_t chunk = 0) {
  std::string payload(size, op == ws::opcode::text ? '*' : '\xfe');
  std::string title = std::string(op == ws::opcode::text ? "text" : "binary") + " message of " +
                      std::to_string(size) + " bytes" +
                      (chunk ? ", delivered in " + std::to_string(chunk) + "-byte chunks" : "");
  return delivered(std::move(id), std::move(title), chunks_of(frame(op, payload), chunk),
                   {op == ws::opcode::text ? message::text(payload) : message::binary(payload)});
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
