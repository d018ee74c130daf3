// options::log folded into options::trace: the library emits plain trace lines, and the
// line's first character tells its level. Folded once where options enter the library
// (connect, server, pool, reconnecting websocket), so every layer below sees one sink.
#pragma once

#include <h2ws/options.hpp>

#include <string_view>

namespace h2ws::detail {

/// The level of a trace line: "!" warning, "<" and ">" debug, anything else info.
log_level level_of(std::string_view line) noexcept;

/// Moves `o.log` into `o.trace` (the user's own trace still gets every line). Idempotent.
void fold_log_into_trace(options& o);

/// Whether frame lines (debug) are wanted: a trace of the user's, or a log at debug.
bool traces_frames(const options& o) noexcept;

}  // namespace h2ws::detail
