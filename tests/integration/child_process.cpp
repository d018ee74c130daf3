#include "child_process.hpp"

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace h2ws::test {

child_process::child_process(std::vector<std::string> args) {
  int out[2];
  if (pipe(out) != 0) return;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    pid_ = -1;
    close(out[0]);
    return;
  }
  out_fd_ = out[0];
}

child_process::read_result child_process::read_some(int timeout_ms) {
  if (out_fd_ < 0) return read_result::ended;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return read_result::nothing;
  char buf[512];
  const auto n = read(out_fd_, buf, sizeof buf);
  if (n <= 0) return read_result::ended;  // it exited (or closed its output)
  seen_.append(buf, static_cast<std::size_t>(n));
  return read_result::bytes;
}

std::optional<std::smatch> child_process::wait_for(const std::regex& pattern,
                                                   std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::smatch match;
  while (!std::regex_search(seen_, match, pattern)) {
    if (std::chrono::steady_clock::now() >= deadline || read_some(50) == read_result::ended)
      return std::nullopt;
  }
  return match;
}

const std::string& child_process::output() {
  while (read_some(0) == read_result::bytes) {
  }
  return seen_;
}

child_process::~child_process() {
  if (out_fd_ >= 0) close(out_fd_);
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    usleep(20'000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

}  // namespace h2ws::test
