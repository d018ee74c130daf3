// The conformance catalogue, one function per Autobahn|Testsuite section.
#pragma once

#include "conformance_case.hpp"

#include <vector>

namespace h2ws::conformance {

std::vector<case_spec> framing_cases();        // 1.x
std::vector<case_spec> ping_pong_cases();      // 2.x
std::vector<case_spec> reserved_bits_cases();  // 3.x
std::vector<case_spec> opcode_cases();         // 4.x
std::vector<case_spec> fragmentation_cases();  // 5.x
std::vector<case_spec> utf8_cases();           // 6.x
std::vector<case_spec> close_cases();          // 7.x
std::vector<case_spec> large_message_cases();  // 9.x
std::vector<case_spec> compression_cases();    // 12.x, 13.x permessage-deflate
std::vector<case_spec> http2_cases();          // "h2.x": RFC 8441 / RFC 9113 stream behaviour

/// Every case, in section order.
std::vector<case_spec> all_cases();

}  // namespace h2ws::conformance
