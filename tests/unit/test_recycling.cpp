// The per-thread recycling behind a lean message path: handler_memory's three block sizes
// ws::string_pool's spare payload strings, and ws::vector_pool's spare queue storage.
#include "ws/fifo.hpp"
#include "ws/first_inline_fifo.hpp"
#include "ws/string_pool.hpp"
#include "ws/vector_pool.hpp"
#include <h2ws/handler_allocator.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace h2ws {
namespace {

// Verifies that a freed block comes back for a request of its own size class, and that a
// small request is never given a larger class's block (nor a large one a small block).
TEST(HandlerMemory, BlocksAreRecycledWithinTheirSizeClass) {
  void* small = handler_memory::allocate(48);
  handler_memory::deallocate(small, 48);
  EXPECT_EQ(handler_memory::allocate(60), small) << "a 64-byte block was not reused";
  void* medium = handler_memory::allocate(100);
  EXPECT_NE(medium, small);
  handler_memory::deallocate(small, 60);
  handler_memory::deallocate(medium, 100);
  void* large = handler_memory::allocate(200);
  EXPECT_NE(large, small);
  EXPECT_NE(large, medium) << "a 128-byte block was handed out for 200 bytes";
  EXPECT_EQ(handler_memory::allocate(128), medium);
  EXPECT_EQ(handler_memory::allocate(1), small);
  handler_memory::deallocate(large, 200);
  handler_memory::deallocate(medium, 128);
  handler_memory::deallocate(small, 1);
  void* big = handler_memory::allocate(4096);  // beyond block_size: plain operator new
  handler_memory::deallocate(big, 4096);
}

// Verifies that a given string's storage is what the next take gets, emptied; that short
// strings (inside the object) are not kept; and that the pool is bounded.
TEST(StringPool, SparesAreReusedAndBounded) {
  std::string drain;
  while (ws::string_pool::take(drain)) {
  }
  std::string spare(1000, 'x');
  const char* storage = spare.data();
  ws::string_pool::give(std::move(spare));
  std::string next;
  ASSERT_TRUE(ws::string_pool::take(next));
  EXPECT_EQ(next.data(), storage);
  EXPECT_TRUE(next.empty());
  EXPECT_GE(next.capacity(), 1000u);
  EXPECT_FALSE(ws::string_pool::take(next)) << "the pool handed out one string twice";

  ws::string_pool::give(std::string("short"));
  EXPECT_FALSE(ws::string_pool::take(next)) << "a short string was kept";

  for (std::size_t i = 0; i < ws::string_pool::max_spares + 10; ++i)
    ws::string_pool::give(std::string(64, 'y'));
  std::size_t taken = 0;
  while (ws::string_pool::take(next)) ++taken;
  EXPECT_EQ(taken, ws::string_pool::max_spares);
}

// Verifies that a queue holds no storage once drained, that the next queue to fill gets
// that storage back instead of allocating, and that the pool is bounded.
TEST(VectorPool, DrainedQueuesHandTheirStorageOn) {
  struct item {
    int value = 0;
  };
  using pool = ws::vector_pool<item>;
  std::vector<item> drain;
  do {  // empty this thread's pool of spares left by earlier tests
    drain = {};
    pool::take(drain);
  } while (drain.capacity() != 0);

  ws::fifo<item> a;
  for (int i = 0; i < 100; ++i) a.emplace_back(item{i});
  const item* storage = &a.front();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(a.front().value, i);
    a.pop_front();
  }
  EXPECT_TRUE(a.empty());
  std::vector<item> spare;
  pool::take(spare);
  ASSERT_GE(spare.capacity(), 100u) << "the drained queue kept its storage";
  EXPECT_EQ(spare.data(), storage);
  pool::give(spare);
  EXPECT_EQ(spare.capacity(), 0u);

  ws::fifo<item> b;
  b.emplace_back(item{7});
  EXPECT_EQ(&b.front(), storage) << "the next queue allocated instead of reusing the spare";
  b.clear();

  std::vector<std::vector<item>> many(pool::max_spares + 10);
  for (auto& v : many) v.reserve(4);
  for (auto& v : many) pool::give(v);
  std::size_t taken = 0;
  for (;; ++taken) {
    std::vector<item> next;
    pool::take(next);
    if (next.capacity() == 0) break;
  }
  EXPECT_EQ(taken, pool::max_spares);
}

// Verifies that a first_inline_fifo keeps its items in order across the inline slot and the
// queue behind it, takes no pool storage while it holds one item at a time, and hands the
// queue's storage back once drained.
TEST(FirstInlineFifo, KeepsOrderAndQueuesOnlyBehindTheFirstItem) {
  struct item {
    int value = 0;
  };
  using pool = ws::vector_pool<item>;
  std::vector<item> spare;
  spare.reserve(8);
  const item* spare_storage = spare.data();
  pool::give(spare);

  ws::first_inline_fifo<item> q;
  std::vector<item> check;
  for (int round = 0; round < 3; ++round) {  // one at a time: the pool's spare stays there
    q.emplace_back(item{round});
    EXPECT_EQ(q.front().value, round);
    EXPECT_EQ(&q.back(), &q.front());
    pool::take(check);
    EXPECT_EQ(check.data(), spare_storage) << "one item took the pool's storage";
    pool::give(check);
    q.pop_front();
    EXPECT_TRUE(q.empty());
  }

  for (int i = 0; i < 20; ++i) q.emplace_back(item{i});
  EXPECT_EQ(q.back().value, 19);
  int seen = 0;
  q.for_each([&](item& it) { EXPECT_EQ(it.value, seen++); });
  EXPECT_EQ(seen, 20);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(q.front().value, i);
    q.pop_front();
  }
  q.emplace_back(item{20});
  for (int i = 10; i <= 20; ++i) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.front().value, i);
    q.pop_front();
  }
  EXPECT_TRUE(q.empty());
  pool::take(check);
  EXPECT_GE(check.capacity(), 19u) << "the drained queue behind the first item kept its storage";
}

}  // namespace
}  // namespace h2ws
