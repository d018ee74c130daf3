/// \file
/// Memory for small completion handlers that are allocated and freed at a high rate (one per
/// message sent): a free list per thread, so that steady traffic does not go to malloc. The
/// same idea as `asio::recycling_allocator`, whose per-thread cache holds two blocks only.
///
/// \code
/// ws.send(std::move(m), boost::asio::bind_allocator(h2ws::handler_allocator<void>(),
///                                                   [](boost::system::error_code) {}));
/// \endcode
/// The type-erased handler that send() keeps then lives in a recycled block, as in `h2ws
/// serve`'s echo and in `h2ws-bench`.
#pragma once

#include <cstddef>
#include <new>

namespace h2ws {

/// The per-thread free lists behind handler_allocator. Thread-safe: each thread has its own.
class handler_memory {
 public:
  /// Requests up to this many bytes get a recycled block; larger ones go to operator new.
  static constexpr std::size_t block_size = 256;
  /// Free blocks kept per thread, at most (256 KiB); beyond it they are freed.
  static constexpr std::size_t max_free = 1024;

  /// A block of at least `n` bytes, from this thread's free list when there is one.
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

  /// Gives back `p` (of `n` bytes, as allocated) to this thread's free list.
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
/// (`asio::bind_allocator`): any_completion_handler allocates its state through it.
template <class T>
struct handler_allocator {
  /// The allocated type.
  using value_type = T;
  /// Stateless: every instance shares the thread's free list.
  handler_allocator() noexcept = default;
  /// Rebinding copy.
  template <class U>
  handler_allocator(const handler_allocator<U>&) noexcept {}
  /// Room for `n` objects of type T.
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    return static_cast<T*>(handler_memory::allocate(n * sizeof(T)));
  }
  /// Gives back what allocate(n) returned.
  void deallocate(T* p, std::size_t n) noexcept { handler_memory::deallocate(p, n * sizeof(T)); }
  /// All instances are interchangeable.
  template <class U>
  bool operator==(const handler_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace h2ws
