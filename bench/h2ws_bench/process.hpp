// The process around the benchmark: resident memory, file limits, CPU pinning, and the helper
// server processes (started from this same executable in a hidden mode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace h2ws::bench {

/// Resident set size of this process, in bytes, from /proc/self/statm (0 if unreadable).
std::uint64_t rss_bytes();

/// Resident set size of process `pid` (e.g. a helper server), from /proc/PID/statm (0 if
/// unreadable: no such process, or not ours to read).
std::uint64_t rss_bytes(pid_t pid);

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
std::uint64_t raise_file_limit();

/// The CPUs this process may run on, in increasing order.
std::vector<int> allowed_cpus();

/// Restricts the calling process to `cpu`. Returns false (and leaves it as it was) on failure.
bool pin_to_cpu(int cpu);

/// A server child process: `/proc/self/exe <mode_flag> 0 <extra_args...>`, which listens on
/// 127.0.0.1 with a free port and prints that port on its stdout. The child dies with us
/// (PR_SET_PDEATHSIG and its own check of its parent), and stop() or the destructor ends it:
/// SIGTERM, then SIGKILL.
class helper_process {
 public:
  /// Starts the child, pinned to `cpu` unless it is negative, and waits (at most 10 s) for its
  /// port. Returns nullopt with the reason in `why` when it does not come up.
  static std::optional<helper_process> start(const std::string& mode_flag,
                                             const std::vector<std::string>& extra_args, int cpu,
                                             std::string& why);

  helper_process(helper_process&& other) noexcept;
  helper_process& operator=(helper_process&& other) noexcept;
  ~helper_process();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// Ends the child and reaps it, bounded by about 2 s.
  void stop();

 private:
  helper_process(pid_t pid, std::uint16_t port) : pid_(pid), port_(port) {}
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

/// Sends SIGKILL to every helper still running. Async-signal-safe: the SIGINT/SIGTERM handler
/// and the fatal-exit path use it.
void kill_all_helpers() noexcept;

/// Installs SIGINT/SIGTERM handlers that kill the helpers and exit, and ignores SIGPIPE.
void install_signal_handlers();

}  // namespace h2ws::bench
