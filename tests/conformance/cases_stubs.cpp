// Sections still to be written (filled in by the conformance work).
#include "catalogue.hpp"

namespace h2ws::conformance {
std::vector<case_spec> ping_pong_cases() { return {}; }
std::vector<case_spec> reserved_bits_cases() { return {}; }
std::vector<case_spec> opcode_cases() { return {}; }
std::vector<case_spec> fragmentation_cases() { return {}; }
std::vector<case_spec> utf8_cases() { return {}; }
std::vector<case_spec> close_cases() { return {}; }
std::vector<case_spec> large_message_cases() { return {}; }
}  // namespace h2ws::conformance
