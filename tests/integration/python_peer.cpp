#include "python_peer.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace h2ws::test {

python_websockets_server::python_websockets_server(std::vector<std::string> extra_args) {
  int out[2];
  if (pipe(out) != 0) {
    error_ = "pipe failed";
    return;
  }
  std::vector<std::string> args = {"/usr/bin/python3",
                                   H2WS_SOURCE_DIR "/tests/interop/ws_echo_backend.py"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    error_ = "cannot start /usr/bin/python3";
    pid_ = -1;
    close(out[0]);
    return;
  }
  // Wait (at most 15 s) for "listening on 127.0.0.1:PORT".
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    auto n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
    if (std::regex_search(seen, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      break;
    }
  }
  // Keep our end open: a child writing to a closed pipe would die of SIGPIPE.
  stdout_fd_ = out[0];
  if (!port_)
    error_ =
        "python3-websockets echo server did not start (is the Debian package "
        "python3-websockets installed?); it printed: " +
        seen;
}

python_websockets_server::~python_websockets_server() {
  if (stdout_fd_ >= 0) close(stdout_fd_);
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
