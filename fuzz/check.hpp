// The fuzzers' assertion: an invariant that fails aborts, which libFuzzer reports as a crash and
// saves the input as a reproducer. Unlike assert() it stays on in release builds.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace h2ws::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace h2ws::fuzz

#define H2WS_FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::h2ws::fuzz::check_failed(#cond, __FILE__, __LINE__))
