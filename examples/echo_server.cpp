// An RFC 8441 echo server: every message a client sends on /echo comes back.
//   ./example_echo_server [PORT]        (default 3000; try: h2ws ws://127.0.0.1:3000/echo)
#include <h2ws/h2ws.hpp>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace asio = boost::asio;

int main(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  asio::io_context ioc;

  // Default server_options: websockets on /echo, SETTINGS_ENABLE_CONNECT_PROTOCOL=1.
  // h2ws::echo is the handler each accepted websocket is given to.
  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", port)) {
    std::cerr << "cannot listen on port " << port << ": " << ec.message() << "\n";
    return 1;
  }
  std::cout << "echo server on ws://127.0.0.1:" << server.port() << "/echo (Ctrl-C stops)"
            << std::endl;

  // Ctrl-C: close open websockets with 1001 and send GOAWAY; run() returns once all is done.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { server.stop(); });
  ioc.run();
}
