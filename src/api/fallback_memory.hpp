// Origins found without working RFC 8441, remembered for a while so the next
// h2ws::connect with fallback goes straight to the HTTP/1.1 Upgrade.
#pragma once

#include <h2ws/options.hpp>

#include <string>

namespace h2ws::detail {

/// Process-wide and thread-safe.
class fallback_memory {
 public:
  static fallback_memory& instance();
  void remember(const std::string& origin, duration how_long);
  bool remembers(const std::string& origin);
};

}  // namespace h2ws::detail
