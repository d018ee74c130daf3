// Blocking style: the io_context runs on a thread of its own and main() waits on
// std::futures (asio::use_future). Errors arrive as boost::system::system_error from get().
// Self-contained: it starts an echo server on 127.0.0.1 (a free port) in the same process
// and exits (0 when every echo came back and the refusal was reported as expected).
//   ./example_blocking_client
#include <h2ws/h2ws.hpp>

#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;

int run(asio::io_context& ioc, const std::string& url) {
  auto conn = h2ws::connection::connect(ioc.get_executor(), url, {}, asio::use_future).get();
  auto ws = conn.open_websocket("/echo", asio::use_future).get();

  // Sends may be called from any thread and need not wait for each other.
  std::vector<std::future<void>> sends;
  for (int i = 0; i < 3; ++i) {
    sends.push_back(ws.send(h2ws::message::text("line " + std::to_string(i)), asio::use_future));
  }
  for (auto& s : sends) s.get();
  for (int i = 0; i < 3; ++i) {
    h2ws::message m = ws.receive(asio::use_future).get();
    std::cout << "< " << m.text() << "\n";
    if (m.text() != "line " + std::to_string(i)) return 1;
  }
  ws.close(h2ws::close_code::normal, "bye", asio::use_future).get();

  // A refusal is an exception too; its code tells the cause apart.
  try {
    conn.open_websocket("/no-such-path", asio::use_future).get();
    std::cerr << "the server accepted /no-such-path\n";
    return 1;
  } catch (const boost::system::system_error& e) {
    std::cout << "/no-such-path: " << e.code().message() << "\n";
    if (e.code() != h2ws::error::refused) return 1;
    if (e.code() != h2ws::condition::handshake_failed) return 1;
  }
  return 0;
}

int main() {
  asio::io_context ioc;
  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", 0)) {
    std::cerr << "listen: " << ec.message() << "\n";
    return 1;
  }
  const std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/echo";

  // The work guard keeps run() going while main() is between two calls.
  auto work = asio::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });

  int status = 1;
  try {
    status = run(ioc, url);
  } catch (const boost::system::system_error& e) {
    std::cerr << "error: " << e.what() << "\n";
  }

  // The server is stopped on the io thread; then run() returns once everything has ended.
  asio::post(ioc, [&] { server.stop(); });
  work.reset();
  io.join();
  return status;
}
