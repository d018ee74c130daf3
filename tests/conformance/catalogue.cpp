#include "catalogue.hpp"

namespace h2ws::conformance {

std::vector<case_spec> all_cases() {
  std::vector<case_spec> all;
  for (auto section :
       {framing_cases, ping_pong_cases, reserved_bits_cases, opcode_cases, fragmentation_cases,
        utf8_cases, close_cases, large_message_cases, compression_cases, http2_cases}) {
    auto cases = section();
    all.insert(all.end(), std::make_move_iterator(cases.begin()),
               std::make_move_iterator(cases.end()));
  }
  return all;
}

}  // namespace h2ws::conformance
