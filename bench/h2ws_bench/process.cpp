#include "process.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string_view>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace h2ws::bench {
namespace {

// Pids of running helpers, for the signal handler: plain atomics, no allocation.
std::array<std::atomic<pid_t>, 8> helper_pids{};

void register_helper(pid_t pid) {
  for (auto& slot : helper_pids) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

void unregister_helper(pid_t pid) {
  for (auto& slot : helper_pids) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

extern "C" void on_terminating_signal(int sig) {
  kill_all_helpers();
  _exit(128 + sig);
}

}  // namespace

namespace {

std::uint64_t rss_from_statm(const char* path) {
  // statm: size resident shared text lib data dt, in pages.
  std::FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

std::uint64_t rss_bytes() { return rss_from_statm("/proc/self/statm"); }

std::uint64_t rss_bytes(pid_t pid) {
  if (pid <= 0) return 0;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%ld/statm", static_cast<long>(pid));
  return rss_from_statm(path);
}

std::uint64_t raise_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur;
}

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  return cpus;
}

bool pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

std::optional<helper_process> helper_process::start(const std::string& mode_flag,
                                                    const std::vector<std::string>& extra_args,
                                                    int cpu, std::string& why) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    why = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::string exe = "/proc/self/exe";
  std::string argv0 = "h2ws-bench";
  std::string port_arg = "0";
  std::vector<char*> argv = {argv0.data(), const_cast<char*>(mode_flag.c_str()), port_arg.data()};
  for (const auto& a : extra_args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  std::fflush(stdout);
  std::fflush(stderr);

  const pid_t pid = fork();
  if (pid < 0) {
    why = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
    if (dup2(fds[1], STDOUT_FILENO) < 0) _exit(1);
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  register_helper(pid);
  helper_process child(pid, 0);

  // The child prints "PORT\n" once it listens.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      why = mode_flag + " helper did not report its port within 10 s";
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[64];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      why = mode_flag + " helper exited before listening";
      break;
    }
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (line.find('\n') == std::string::npos) return std::nullopt;  // child's destructor kills it

  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), port);
  if (ec != std::errc() || port == 0 || port > 65535) {
    why = mode_flag + " helper printed no port: '" + line + "'";
    return std::nullopt;
  }
  child.port_ = static_cast<std::uint16_t>(port);
  return std::optional<helper_process>(std::move(child));
}

helper_process::helper_process(helper_process&& other) noexcept
    : pid_(other.pid_), port_(other.port_) {
  other.pid_ = -1;
}

helper_process& helper_process::operator=(helper_process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = other.pid_;
    port_ = other.port_;
    other.pid_ = -1;
  }
  return *this;
}

helper_process::~helper_process() { stop(); }

void helper_process::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  bool reaped = false;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid_, nullptr, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      reaped = true;
      break;
    }
    usleep(10'000);
  }
  if (!reaped) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  unregister_helper(pid_);
  pid_ = -1;
}

void kill_all_helpers() noexcept {
  for (auto& slot : helper_pids) {
    pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_terminating_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace h2ws::bench
