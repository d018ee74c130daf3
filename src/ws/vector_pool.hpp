// Spare vector storage, one pool per element type and per thread, shared by every
// websocket that thread runs: a queue that empties hands its storage here and the next
// queue that fills takes it back. A busy websocket thus allocates nothing per message
// (it gets its own storage back, the pool is last in, first out), and an idle one keeps
// no queue storage of its own. The same idea as string_pool, for queues.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace h2ws::ws {

template <class T>
class vector_pool {
 public:
  /// Spares kept per thread, at most; past that (or past max_spare_bytes of capacity) a
  /// given vector is simply freed.
  static constexpr std::size_t max_spares = 1024;
  static constexpr std::size_t max_spare_bytes = 1024 * 1024;

  /// Offers the storage of `v` (its elements are destroyed); `v` is left without storage.
  static void give(std::vector<T>& v) noexcept {
    v.clear();
    const std::size_t bytes = v.capacity() * sizeof(T);
    if (bytes == 0) return;
    pool* p = local();
    if (!p || p->spares.size() >= max_spares || bytes > max_spare_bytes - p->bytes) {
      std::vector<T>().swap(v);
      return;
    }
    try {
      p->spares.push_back(std::move(v));
    } catch (...) {
      std::vector<T>().swap(v);  // no room for the list: freed
      return;
    }
    p->bytes += bytes;
    v = std::vector<T>();  // a moved-from vector is empty in practice; make sure of it
  }

  /// Gives `into` (which must be empty) a spare's storage when the pool has one.
  static void take(std::vector<T>& into) noexcept {
    pool* p = current;
    if (!p || p->spares.empty() || into.capacity() != 0) return;
    p->bytes -= p->spares.back().capacity() * sizeof(T);
    into.swap(p->spares.back());
    p->spares.pop_back();
  }

 private:
  struct pool {
    std::vector<std::vector<T>> spares;
    std::size_t bytes = 0;  // capacity held in spares
  };
  struct owner {
    pool p;
    ~owner() {
      current = nullptr;
      gone = true;
    }
  };
  // The hot path reads one trivially destructible thread_local (no initialisation guard);
  // `owner` frees the pool at thread exit and clears it, so a queue destroyed after that
  // frees its storage instead.
  static inline thread_local pool* current = nullptr;
  static inline thread_local bool gone = false;

  static pool* local() noexcept {
    if (current || gone) return current;
    thread_local owner o;
    current = &o.p;
    return current;
  }
};

}  // namespace h2ws::ws
