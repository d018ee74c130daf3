// The memory functions nghttp2 allocates with: what it allocates and frees per message
// (the data source of a DATA burst, about 150 bytes) comes from a free list per thread
// instead of malloc.
#pragma once

#include <nghttp2/nghttp2.h>

namespace h2ws::h2 {

/// For nghttp2_session_*_new3(). Every block is malloc's (realloc and free take any of
/// them); free() tells a recyclable block by its usable size (malloc_usable_size).
nghttp2_mem* recycling_mem();

}  // namespace h2ws::h2
