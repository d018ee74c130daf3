#include "server/server_context.hpp"

#include <string>

namespace h2ws::detail {

void report_contained(const server_context& ctx, const options& limits, std::string_view where,
                      std::exception_ptr e) {
  std::string what(where);
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    what += x.what();
  } catch (...) {
    what += "unknown exception";
  }
  try {
    if (limits.trace) limits.trace("! " + what);
    if (ctx.opts.on_error) ctx.opts.on_error(what);
  } catch (...) {  // the error sinks failing in turn have nobody left to tell
  }
}

std::optional<script_hook>& next_server_script() {
  thread_local std::optional<script_hook> hook;
  return hook;
}

}  // namespace h2ws::detail
