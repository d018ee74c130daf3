// Spare storage of one type (strings, vectors), one pool per type and per thread, shared by
// every websocket and connection that thread runs: what a queue or a message just let go of
// becomes the storage of the next one to fill. A busy websocket thus allocates nothing per
// message (it gets its own storage back: the pool is last in, first out), and an idle one
// keeps no spare of its own. Bounded: past MaxSpares spares or MaxSpareBytes of capacity,
// given storage is simply freed.
#pragma once

#include "ws/thread_state.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace h2ws::ws {

template <class Storage, std::size_t MaxSpares, std::size_t MaxSpareBytes>
class spare_pool {
 public:
  static constexpr std::size_t max_spares = MaxSpares;
  static constexpr std::size_t max_spare_bytes = MaxSpareBytes;

  /// Offers the storage of `s` (its content is dropped); `s` is left empty. Storage no
  /// larger than an empty Storage's own (a short string's, inside the object) is not kept.
  static void give(Storage& s) noexcept {
    s.clear();
    if (s.capacity() <= Storage().capacity()) return;
    const std::size_t bytes = s.capacity() * sizeof(typename Storage::value_type);
    pool* p = thread_state<pool>::get();
    if (!p || p->spares.size() >= max_spares || bytes > max_spare_bytes - p->bytes) {
      Storage().swap(s);
      return;
    }
    try {
      p->spares.push_back(std::move(s));
    } catch (...) {
      Storage().swap(s);  // no room for the list: freed
      return;
    }
    p->bytes += bytes;  // `s` is empty: a moved-from vector or string holds nothing
  }

  /// Swaps a spare's storage into `into` (emptied; what it held is freed) when the pool has
  /// one; false when it has none.
  static bool take(Storage& into) noexcept {
    pool* p = thread_state<pool>::existing();
    if (!p || p->spares.empty()) return false;
    auto& spare = p->spares.back();
    p->bytes -= spare.capacity() * sizeof(typename Storage::value_type);
    into = std::move(spare);  // what `into` held is freed (a string's swap costs ~60 instructions)
    p->spares.pop_back();
    return true;
  }

 private:
  struct pool {
    std::vector<Storage> spares;
    std::size_t bytes = 0;  // capacity held in spares
  };
};

}  // namespace h2ws::ws
