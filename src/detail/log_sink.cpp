#include "detail/log_sink.hpp"

#include <functional>
#include <utility>

namespace h2ws::detail {

namespace {

// What options::trace holds once a log was folded into it.
struct trace_sink {
  std::function<void(std::string_view)> user_trace;
  std::function<void(log_level, std::string_view)> log;
  log_level verbosity;

  void operator()(std::string_view line) const {
    if (user_trace) user_trace(line);
    const auto level = level_of(line);
    if (static_cast<int>(level) <= static_cast<int>(verbosity)) log(level, line);
  }
};

}  // namespace

log_level level_of(std::string_view line) noexcept {
  if (line.empty()) return log_level::info;
  switch (line.front()) {
    case '!':
      return log_level::warning;
    case '<':
    case '>':
      return log_level::debug;
    default:
      return log_level::info;
  }
}

void fold_log_into_trace(options& o) {
  if (!o.log) return;
  o.trace = trace_sink{std::move(o.trace), std::move(o.log), o.verbosity};
  o.log = nullptr;
}

bool traces_frames(const options& o) noexcept {
  if (!o.trace) return false;
  const auto* sink = o.trace.target<trace_sink>();
  return !sink || sink->user_trace || sink->verbosity == log_level::debug;
}

}  // namespace h2ws::detail
