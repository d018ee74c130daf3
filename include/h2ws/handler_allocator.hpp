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
/// Three block sizes (64, 128 and 256 bytes), so that a small handler waiting for long (a
/// receive on an idle websocket) holds no more than it needs.
class handler_memory {
 public:
  /// Requests up to this many bytes get a recycled block; larger ones go to operator new.
  static constexpr std::size_t block_size = 256;
  /// Free blocks kept per thread and block size, at most; beyond it they are freed.
  static constexpr std::size_t max_free = 1024;

  /// A block of at least `n` bytes, from this thread's free list when there is one.
  static void* allocate(std::size_t n) {
    if (n > block_size) return ::operator new(n);
    const std::size_t c = size_class(n);
    if (free_lists* l = lists()) {
      free_list& list = l->of_class[c];
      if (list.head) {
        block* b = list.head;
        list.head = b->next;
        --list.count;
        return b;
      }
    }
    return ::operator new (std::size_t{64} << c);
  }

  /// Gives back `p` (of `n` bytes, as allocated) to this thread's free list.
  static void deallocate(void* p, std::size_t n) noexcept {
    if (n <= block_size) {
      if (free_lists* l = lists()) {
        free_list& list = l->of_class[size_class(n)];
        if (list.count < max_free) {
          list.head = ::new (p) block{list.head};
          ++list.count;
          return;
        }
      }
    }
    ::operator delete(p);
  }

 private:
  // 64, 128 or 256 bytes.
  static constexpr std::size_t size_class(std::size_t n) noexcept {
    return static_cast<std::size_t>(n > 64) + static_cast<std::size_t>(n > 128);
  }
  struct block {
    block* next;
  };
  struct free_list {
    block* head = nullptr;
    std::size_t count = 0;
  };
  struct free_lists {
    free_list of_class[3];
  };
  // Frees the thread's blocks at its exit and clears `current`, so that a handler freed
  // later in the exit goes to operator delete.
  struct owner {
    free_lists lists;
    ~owner() {
      current = nullptr;
      gone = true;
      for (auto& list : lists.of_class) {
        while (list.head) {
          block* next = list.head->next;
          ::operator delete(list.head);
          list.head = next;
        }
      }
    }
  };
  // The hot path reads trivially destructible thread_locals only (no initialisation guard).
  static free_lists* lists() noexcept {
    if (current || gone) return current;
    thread_local owner o;
    current = &o.lists;
    return current;
  }
  static inline thread_local free_lists* current = nullptr;
  static inline thread_local bool gone = false;
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
