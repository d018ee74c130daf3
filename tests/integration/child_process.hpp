// A real third-party peer run as a child process for the length of a test: started with
// its stdout and stderr on a pipe, waited for (bounded) until it prints a line, stopped
// with SIGTERM (then SIGKILL) when the object goes.
#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <sys/types.h>
#include <vector>

namespace h2ws::test {

class child_process {
 public:
  /// Starts argv[0] (a path) with `argv`; started() tells whether it could.
  explicit child_process(std::vector<std::string> argv);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const { return pid_ > 0; }
  /// Reads its output until `pattern` matches it, or `limit` passes, or it exits; returns
  /// the match (none on timeout or exit).
  std::optional<std::smatch> wait_for(const std::regex& pattern, std::chrono::milliseconds limit);
  /// Reads what it printed meanwhile, without waiting, and returns all output so far.
  const std::string& output();

 private:
  enum class read_result { bytes, nothing, ended };
  // Waits up to `timeout_ms` for output and appends what one read gives to seen_.
  read_result read_some(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1;  // kept open: a child writing to a closed pipe would die of SIGPIPE
  std::string seen_;
};

}  // namespace h2ws::test
