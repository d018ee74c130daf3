// mask_generator: fresh CSPRNG keys, batched.
#include "ws/mask_generator.hpp"

#include <cstdint>
#include <set>

#include <gtest/gtest.h>

namespace {

// Verifies that keys keep coming across several batch refills and do not repeat in practice.
TEST(MaskGenerator, KeysAreFreshAcrossBatches) {
  h2ws::ws::mask_generator gen;
  std::set<std::uint32_t> keys;
  constexpr int draws = 2000;  // several batches of 256
  for (int i = 0; i < draws; ++i) keys.insert(gen.next());
  // 2000 random 32-bit values collide with probability below 0.05%; allow one collision.
  EXPECT_GE(keys.size(), static_cast<std::size_t>(draws - 1));
}

// Verifies that two generators do not produce the same sequence (not seeded from a constant).
TEST(MaskGenerator, GeneratorsAreIndependent) {
  h2ws::ws::mask_generator a;
  h2ws::ws::mask_generator b;
  int equal = 0;
  for (int i = 0; i < 16; ++i) equal += a.next() == b.next();
  EXPECT_LT(equal, 2);
}

// Verifies that key bits are not stuck: every bit position takes both values.
TEST(MaskGenerator, EveryBitVaries) {
  h2ws::ws::mask_generator gen;
  std::uint32_t ones = 0;
  std::uint32_t zeros = 0;
  for (int i = 0; i < 512; ++i) {
    const std::uint32_t k = gen.next();
    ones |= k;
    zeros |= ~k;
  }
  EXPECT_EQ(ones, 0xFFFFFFFFu);
  EXPECT_EQ(zeros, 0xFFFFFFFFu);
}

}  // namespace
