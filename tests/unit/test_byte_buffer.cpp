// ws::byte_buffer, the write batch: appends keep every byte in order across growth, and its
// storage moves (and goes through a spare_pool) without copying.
#include "ws/byte_buffer.hpp"
#include "ws/spare_pool.hpp"

#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace h2ws {
namespace {

std::vector<std::uint8_t> contents(const ws::byte_buffer& b) {
  return {b.data(), b.data() + b.size()};
}

// Verifies that appends of every kind land in order, including across the growth steps
// (each of which copies what is there to larger storage), and that clear() keeps the storage.
TEST(ByteBuffer, AppendsKeepEveryByteInOrderAcrossGrowth) {
  ws::byte_buffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.capacity(), 0u);
  std::vector<std::uint8_t> expected;
  std::vector<std::uint8_t> chunk(300);
  std::iota(chunk.begin(), chunk.end(), std::uint8_t{1});
  for (int round = 0; round < 20; ++round) {
    b.append(chunk.data(), static_cast<std::size_t>(round * 7 % 300));
    expected.insert(expected.end(), chunk.begin(), chunk.begin() + round * 7 % 300);
    b.push_back(static_cast<std::uint8_t>(round));
    expected.push_back(static_cast<std::uint8_t>(round));
    b.append_zeros(static_cast<std::size_t>(round % 3));
    expected.insert(expected.end(), static_cast<std::size_t>(round % 3), 0);
    b.append(chunk.data(), 0);
  }
  EXPECT_EQ(contents(b), expected);
  EXPECT_GE(b.capacity(), b.size());

  const auto* storage = b.data();
  const auto capacity = b.capacity();
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.capacity(), capacity);
  b.append(chunk.data(), 5);
  EXPECT_EQ(b.data(), storage) << "clear() gave the storage up";
  EXPECT_EQ(contents(b), std::vector<std::uint8_t>(chunk.begin(), chunk.begin() + 5));
}

// Verifies that moves and swaps hand the storage over (no copy), leave the source empty,
// and that a spare_pool of buffers returns the storage it was given.
TEST(ByteBuffer, StorageMovesWithoutCopiesAndThroughASparePool) {
  ws::byte_buffer a;
  a.reserve(100);
  a.append("abc", 3);
  const auto* storage = a.data();
  ws::byte_buffer b(std::move(a));
  EXPECT_EQ(b.data(), storage);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(a.capacity(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(a.size(), 0u);      // NOLINT(bugprone-use-after-move)

  ws::byte_buffer c;
  c = std::move(b);
  EXPECT_EQ(c.data(), storage);
  c.swap(a);
  EXPECT_EQ(a.data(), storage);
  EXPECT_EQ(c.capacity(), 0u);

  using pool = ws::spare_pool<ws::byte_buffer, 4, 1024 * 1024>;
  ws::byte_buffer drained;
  while (pool::take(drained)) drained = ws::byte_buffer();  // spares of earlier tests
  pool::give(a);
  EXPECT_EQ(a.capacity(), 0u);
  ws::byte_buffer next;
  ASSERT_TRUE(pool::take(next));
  EXPECT_EQ(next.data(), storage);
  EXPECT_TRUE(next.empty()) << "a spare came back with content";
}

}  // namespace
}  // namespace h2ws
