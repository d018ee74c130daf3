#include "ws/string_pool.hpp"

#include <vector>

namespace h2ws::ws::string_pool {

namespace {

struct pool {
  std::vector<std::string> spares;
  std::size_t bytes = 0;  // capacity held in spares
};

// The hot path reads one trivially destructible thread_local (no initialisation guard);
// `owner` frees the pool at thread exit and clears it, so a websocket destroyed after that
// frees its strings instead.
thread_local pool* current = nullptr;
thread_local bool gone = false;

struct owner {
  pool p;
  ~owner() {
    current = nullptr;
    gone = true;
  }
};

pool* local() noexcept {
  if (current || gone) return current;
  thread_local owner o;
  current = &o.p;
  return current;
}

}  // namespace

void give(std::string&& s) noexcept {
  const std::size_t capacity = s.capacity();
  if (capacity <= std::string().capacity()) return;  // short strings live inside the object
  pool* p = local();
  if (!p || p->spares.size() >= max_spares || capacity > max_spare_bytes - p->bytes) return;
  try {
    p->spares.push_back(std::move(s));
  } catch (...) {
    return;  // no room for the list: the string is freed with its owner
  }
  p->spares.back().clear();
  p->bytes += capacity;
}

bool take(std::string& into) noexcept {
  pool* p = current;
  if (!p || p->spares.empty()) return false;
  p->bytes -= p->spares.back().capacity();
  into.clear();
  into.swap(p->spares.back());
  p->spares.pop_back();
  return true;
}

}  // namespace h2ws::ws::string_pool
