// Spare vector storage per thread (spare_pool): a queue that drains hands its storage here
// and the next queue to fill takes it back; a connection's write batch likewise.
#pragma once

#include "ws/spare_pool.hpp"

#include <cstddef>
#include <vector>

namespace h2ws::ws {

template <class T>
using vector_pool = spare_pool<std::vector<T>, 1024, 1024 * 1024>;

}  // namespace h2ws::ws
