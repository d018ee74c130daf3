#include "python_peer.hpp"

#include <chrono>
#include <regex>

namespace h2ws::test {

namespace {

std::vector<std::string> backend_argv(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"/usr/bin/python3",
                                   H2WS_SOURCE_DIR "/tests/interop/ws_echo_backend.py"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

}  // namespace

python_websockets_server::python_websockets_server(std::vector<std::string> extra_args)
    : process_(backend_argv(std::move(extra_args))) {
  if (!process_.started()) {
    error_ = "cannot start /usr/bin/python3";
    return;
  }
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  if (auto match = process_.wait_for(listening, std::chrono::seconds(15))) {
    port_ = static_cast<std::uint16_t>(std::stoi((*match)[1]));
    return;
  }
  error_ =
      "python3-websockets echo server did not start (is the Debian package "
      "python3-websockets installed?); it printed: " +
      process_.output();
}

}  // namespace h2ws::test
