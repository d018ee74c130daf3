// A chat-style client: connects over HTTP/2, opens a websocket on /echo, sends every
// line typed on stdin, and prints every message received as "< message".
//   ./example_interactive_client [URL]   (default ws://127.0.0.1:3000/echo)
#include <h2ws/h2ws.hpp>

#include <iostream>
#include <string>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;

// Runs on the io thread, at the same time as the sends from main(): a websocket is full duplex.
asio::awaitable<void> print_messages(h2ws::websocket& ws) {
  for (;;) {
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // closed (after our close, or by the server) or lost
    std::cout << "< " << m.text() << std::endl;
  }
}

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "ws://127.0.0.1:3000/echo";

  // The io_context runs on its own thread so that main() can block reading stdin.
  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });

  int status = 0;
  try {
    // With use_future, an error arrives as a boost::system::system_error from get().
    auto conn = h2ws::connection::connect(ioc.get_executor(), url, {}, asio::use_future).get();
    h2ws::websocket_request request;
    request.path = conn.default_path();  // "/echo" from the URL
    auto ws = conn.open_websocket(request, asio::use_future).get();
    auto printer = asio::co_spawn(ioc, print_messages(ws), asio::use_future);

    for (std::string line; std::getline(std::cin, line);) {
      ws.send(h2ws::message::text(line), asio::use_future).get();
    }
    // End of input: close with 1000 and wait for the server's close frame.
    ws.close(h2ws::close_code::normal, "bye", asio::use_future).get();
    printer.get();  // every message that arrived before the close is printed
  } catch (const boost::system::system_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    status = 1;
  }

  work.reset();
  ioc.stop();  // the websocket is closed; no need to wait for the connection's shutdown
  io.join();
  return status;
}
