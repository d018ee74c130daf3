// The benchmark client's own copy of src/detail/handler_memory.hpp (the library keeps that one
// private): memory for small completion handlers allocated and freed at a high rate (one per
// message sent), from a free list per thread, as a demanding application would do it. The same
// idea as asio::recycling_allocator, whose per-thread cache holds two blocks only.
#pragma once

#include <cstddef>
#include <new>

namespace h2ws::bench {

class handler_memory {
 public:
  static constexpr std::size_t block_size = 128;  // larger requests go to operator new
  static constexpr std::size_t max_free = 1024;   // blocks kept per thread, at most

  static void* allocate(std::size_t n) {
    if (n <= block_size && !dead) {
      auto& list = local();
      if (list.head) {
        auto* b = list.head;
        list.head = b->next;
        --list.count;
        return b;
      }
      return ::operator new(block_size);
    }
    return ::operator new(n);
  }

  static void deallocate(void* p, std::size_t n) noexcept {
    if (n <= block_size && !dead) {
      auto& list = local();
      if (list.count < max_free) {
        list.head = ::new (p) block{list.head};
        ++list.count;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  struct block {
    block* next;
  };
  struct free_list {
    block* head = nullptr;
    std::size_t count = 0;
    ~free_list() {
      dead = true;  // a handler freed later in this thread's exit goes to operator delete
      while (head) {
        auto* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  };
  static free_list& local() {
    thread_local free_list list;
    return list;
  }
  static inline thread_local bool dead = false;  // trivially destructible: safe to read late
};

/// An allocator over handler_memory, to associate with a completion handler
/// (asio::bind_allocator): any_completion_handler allocates its state through it.
template <class T>
struct handler_allocator {
  using value_type = T;
  handler_allocator() noexcept = default;
  template <class U>
  handler_allocator(const handler_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    return static_cast<T*>(handler_memory::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { handler_memory::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const handler_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace h2ws::bench
