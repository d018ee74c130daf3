#include "api/fallback_memory.hpp"

#include <map>
#include <mutex>

namespace h2ws::detail {

namespace {
std::mutex mutex;
std::map<std::string, std::chrono::steady_clock::time_point> until;  // origin -> expiry
}  // namespace

fallback_memory& fallback_memory::instance() {
  static fallback_memory memory;
  return memory;
}

void fallback_memory::remember(const std::string& origin, duration how_long) {
  if (how_long.count() <= 0) return;
  std::lock_guard lock(mutex);
  until[origin] = std::chrono::steady_clock::now() + how_long;
}

bool fallback_memory::remembers(const std::string& origin) {
  std::lock_guard lock(mutex);
  auto it = until.find(origin);
  if (it == until.end()) return false;
  if (it->second > std::chrono::steady_clock::now()) return true;
  until.erase(it);
  return false;
}

}  // namespace h2ws::detail
