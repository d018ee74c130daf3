// apply_mask: the RFC 6455 section 5.3 XOR, its byte-order convention and chunked use.
#include "ws/mask.hpp"

#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace {

using h2ws::ws::apply_mask;

// The definition from RFC 6455 section 5.3, one byte at a time, as the reference.
std::vector<std::uint8_t> reference_mask(std::vector<std::uint8_t> data, std::uint32_t key,
                                         std::size_t offset) {
  for (std::size_t j = 0; j < data.size(); ++j) {
    data[j] ^= static_cast<std::uint8_t>(key >> (24 - 8 * ((offset + j) % 4)));
  }
  return data;
}

std::vector<std::uint8_t> sample(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}

// Verifies that key bytes are applied in network order: key 0x11223344 XORs 11, 22, 33, 44.
TEST(Mask, KeyIsInNetworkByteOrder) {
  std::vector<std::uint8_t> data(6, 0);
  apply_mask(data, 0x11223344);
  EXPECT_EQ(data, (std::vector<std::uint8_t>{0x11, 0x22, 0x33, 0x44, 0x11, 0x22}));
}

// Verifies that the RFC 6455 5.7 masked "Hello" comes out with key 0x37fa213d.
TEST(Mask, MatchesRfcExample) {
  std::vector<std::uint8_t> data{'H', 'e', 'l', 'l', 'o'};
  apply_mask(data, 0x37fa213d);
  EXPECT_EQ(data, (std::vector<std::uint8_t>{0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

// Verifies that the fast path agrees with the byte-wise definition for every length and offset.
TEST(Mask, MatchesReferenceForAllLengthsAndOffsets) {
  for (std::size_t n = 0; n <= 70; ++n) {
    for (std::size_t offset = 0; offset < 9; ++offset) {
      auto data = sample(n);
      const auto expected = reference_mask(data, 0xa1b2c3d4, offset);
      apply_mask(data, 0xa1b2c3d4, offset);
      ASSERT_EQ(data, expected) << "n=" << n << " offset=" << offset;
    }
  }
}

// Verifies that masking a misaligned sub-span works (no alignment assumption).
TEST(Mask, WorksOnMisalignedData) {
  auto buffer = sample(100);
  for (std::size_t start = 0; start < 8; ++start) {
    auto data = buffer;
    std::vector<std::uint8_t> part(data.begin() + static_cast<std::ptrdiff_t>(start), data.end());
    apply_mask(std::span(data).subspan(start), 0x01020304);
    EXPECT_EQ(
        std::vector<std::uint8_t>(data.begin() + static_cast<std::ptrdiff_t>(start), data.end()),
        reference_mask(part, 0x01020304, 0));
  }
}

// Verifies that masking twice restores the data.
TEST(Mask, IsAnInvolution) {
  const auto original = sample(1000);
  auto data = original;
  apply_mask(data, 0xdeadbeef, 3);
  EXPECT_NE(data, original);
  apply_mask(data, 0xdeadbeef, 3);
  EXPECT_EQ(data, original);
}

// Verifies that unmasking chunk by chunk with a running offset equals unmasking at once.
TEST(Mask, ChunksWithRunningOffsetEqualWhole) {
  const auto original = sample(257);
  auto whole = original;
  apply_mask(whole, 0x5a6b7c8d);
  for (std::size_t chunk = 1; chunk <= 17; ++chunk) {
    auto data = original;
    for (std::size_t at = 0; at < data.size(); at += chunk) {
      const std::size_t n = std::min(chunk, data.size() - at);
      apply_mask(std::span(data).subspan(at, n), 0x5a6b7c8d, at);
    }
    ASSERT_EQ(data, whole) << "chunk=" << chunk;
  }
}

// Verifies that an empty span is accepted.
TEST(Mask, EmptyDataIsANoOp) {
  std::vector<std::uint8_t> data;
  apply_mask(data, 0x12345678, 5);
  EXPECT_TRUE(data.empty());
}

}  // namespace
