// h2::recycling_mem(): the memory functions nghttp2 allocates with (per-thread recycled
// blocks with their size in front). nghttp2 relies on malloc's contract: alignment,
// content kept by realloc, calloc zeroing, null on overflow.
#include "h2/allocator.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

namespace {

bool is_aligned(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0;
}

// Verifies that blocks are aligned as malloc's and that realloc keeps the content, growing
// past the recycled block sizes and shrinking back.
TEST(H2Allocator, ReallocKeepsContentAcrossBlockSizes) {
  nghttp2_mem* mem = h2ws::h2::recycling_mem();
  auto* p = static_cast<unsigned char*>(mem->malloc(10, mem->mem_user_data));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(is_aligned(p));
  for (int i = 0; i < 10; ++i) p[i] = static_cast<unsigned char>(i + 1);
  p = static_cast<unsigned char*>(mem->realloc(p, 5000, mem->mem_user_data));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(is_aligned(p));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p[i], i + 1);
  std::memset(p + 10, 0x5a, 4990);
  p = static_cast<unsigned char*>(mem->realloc(p, 4, mem->mem_user_data));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(p[i], i + 1);
  mem->free(p, mem->mem_user_data);
  mem->free(nullptr, mem->mem_user_data);  // as free(NULL): nothing
}

// Verifies that calloc zeroes a block even when it reuses one just freed with content.
TEST(H2Allocator, CallocZeroesRecycledBlocks) {
  nghttp2_mem* mem = h2ws::h2::recycling_mem();
  for (std::size_t size : {24u, 100u, 150u, 230u, 600u}) {
    auto* dirty = static_cast<unsigned char*>(mem->malloc(size, mem->mem_user_data));
    ASSERT_NE(dirty, nullptr);
    std::memset(dirty, 0xff, size);
    mem->free(dirty, mem->mem_user_data);
    auto* clean = static_cast<unsigned char*>(mem->calloc(1, size, mem->mem_user_data));
    ASSERT_NE(clean, nullptr);
    EXPECT_TRUE(is_aligned(clean));
    for (std::size_t i = 0; i < size; ++i) ASSERT_EQ(clean[i], 0) << size << " at " << i;
    mem->free(clean, mem->mem_user_data);
  }
}

// Verifies that a calloc whose size overflows fails instead of allocating a short block.
TEST(H2Allocator, CallocOverflowFails) {
  nghttp2_mem* mem = h2ws::h2::recycling_mem();
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  EXPECT_EQ(mem->calloc(3, huge, mem->mem_user_data), nullptr);
}

}  // namespace
