#include "h2/allocator.hpp"

#include "ws/thread_state.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <malloc.h>
#include <new>
#include <utility>

namespace h2ws::h2 {

namespace {

// What nghttp2 allocates and frees per message is a data source (an outbound item, 152
// bytes in nghttp2 1.52); its streams are 224. Requests in (min_recycled, recycled_size]
// get a block of recycled_size from the thread's free list, or from malloc; a block freed
// whose usable size is recycled_size goes back to the list. Everything else is plain
// malloc, with nothing added in front: memory per connection stays what it was.
constexpr std::size_t min_recycled = 128;
constexpr std::size_t recycled_size = 232;  // one 240-byte glibc chunk, as a stream takes
constexpr std::size_t max_free = 1024;      // per thread; beyond it blocks are freed

struct block {
  block* next;
};
// This thread's spare blocks (ws::thread_state: freed at the thread's exit, after which
// released blocks are freed at once).
struct free_list {
  block* head = nullptr;
  std::size_t count = 0;
  ~free_list() {
    while (head) std::free(std::exchange(head, head->next));
  }
};
using thread_free_list = ws::thread_state<free_list>;

bool recycled(std::size_t size) { return size > min_recycled && size <= recycled_size; }

void* allocate(std::size_t size, void*) noexcept {
  if (!recycled(size)) return std::malloc(size);
  if (free_list* l = thread_free_list::existing(); l && l->head) {
    block* b = l->head;
    l->head = b->next;
    --l->count;
    return b;
  }
  return std::malloc(recycled_size);
}

void release(void* p, void*) noexcept {
  if (!p) return;
  if (malloc_usable_size(p) == recycled_size) {
    if (free_list* l = thread_free_list::get(); l && l->count < max_free) {
      l->head = new (p) block{l->head};
      ++l->count;
      return;
    }
  }
  std::free(p);
}

void* allocate_zeroed(std::size_t count, std::size_t size, void* ud) noexcept {
  // Checked here rather than left to calloc: sanitizers treat an overflowing calloc as a bug.
  if (size != 0 && count > std::numeric_limits<std::size_t>::max() / size) return nullptr;
  if (count != 1 || !recycled(size)) return std::calloc(count, size);
  void* p = allocate(size, ud);
  if (p) std::memset(p, 0, size);
  return p;
}

// Every block came from malloc: realloc takes any of them.
void* reallocate(void* p, std::size_t size, void*) noexcept { return std::realloc(p, size); }

nghttp2_mem mem{nullptr, allocate, release, allocate_zeroed, reallocate};

}  // namespace

nghttp2_mem* recycling_mem() { return &mem; }

}  // namespace h2ws::h2
