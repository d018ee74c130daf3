// A real third-party HTTP/1.1 WebSocket server for the fallback tests: the
// python3-websockets echo backend of tests/interop, run as a child process.
#pragma once

#include "child_process.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace h2ws::test {

class python_websockets_server {
 public:
  /// Starts it (optionally with TLS) and waits, bounded, for its port.
  explicit python_websockets_server(std::vector<std::string> extra_args = {});

  /// 0 when it did not start (the reason is in error()).
  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  child_process process_;
  std::uint16_t port_ = 0;
  std::string error_;
};

}  // namespace h2ws::test
