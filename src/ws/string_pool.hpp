// Spare string storage per thread (spare_pool), shared by every websocket that thread runs:
// the payload of a message just sent becomes the buffer of the next one received, so a
// busy websocket does not allocate per message, and an idle one keeps no spare of its own.
#pragma once

#include "ws/spare_pool.hpp"

#include <cstddef>
#include <string>

namespace h2ws::ws::string_pool {

inline constexpr std::size_t max_spares = 1024;
inline constexpr std::size_t max_spare_bytes = 4 * 1024 * 1024;
using spares = spare_pool<std::string, max_spares, max_spare_bytes>;

/// Offers the storage of `s` (its content is dropped). Bounded per thread: past
/// max_spares strings or max_spare_bytes of capacity it is simply freed, as are strings
/// short enough to live inside the object.
inline void give(std::string&& s) noexcept { spares::give(s); }

/// Swaps a spare's storage into `into` (emptied) when the pool has one; false when empty.
inline bool take(std::string& into) noexcept { return spares::take(into); }

}  // namespace h2ws::ws::string_pool
