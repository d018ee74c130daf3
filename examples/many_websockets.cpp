// Several websockets and a plain HTTP request sharing one HTTP/2 connection, all at once.
// Self-contained: it starts an echo server on 127.0.0.1 (a free port) in the same process,
// talks to it, and exits (0 when every echo came back).
//   ./example_many_websockets [COUNT]        (messages per websocket, default 5)
#include <h2ws/h2ws.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;  // a && b: run both, wait for both

// Sends `count` messages on `ws` (each send is queued at once; they go out in order), then
// receives the `count` echoes and closes. Runs at the same time as the other chats.
asio::awaitable<void> chat(h2ws::websocket& ws, const char* name, int count) {
  for (int i = 0; i < count; ++i) {
    co_await ws.send(h2ws::message::text(std::string(name) + " #" + std::to_string(i)),
                     asio::use_awaitable);
  }
  for (int i = 0; i < count; ++i) {
    h2ws::message m = co_await ws.receive(asio::use_awaitable);
    if (m.text() != std::string(name) + " #" + std::to_string(i))
      throw std::runtime_error("bad echo");
  }
  std::cout << name << ": stream " << ws.stream_id() << ", " << count << " echoes\n";
  co_await ws.close(h2ws::close_code::normal, "done", asio::use_awaitable);
}

// A plain GET on the same connection, while the websockets are busy.
asio::awaitable<void> fetch(h2ws::connection& conn) {
  h2ws::http_request request;
  request.path = "/";
  h2ws::http_response response = co_await conn.request(request, asio::use_awaitable);
  std::cout << "GET /: HTTP " << response.status << ", " << response.body;
}

asio::awaitable<void> client(std::string url, int count) {
  auto ex = co_await asio::this_coro::executor;
  // One TCP connection, one HTTP/2 session. (A named options object: GCC 12 mishandles
  // braced temporaries such as `{}` inside co_await expressions.)
  h2ws::options opts;
  auto conn = co_await h2ws::connection::connect(ex, url, opts, asio::use_awaitable);
  // Three websockets: three streams of that connection (extended CONNECT each).
  auto alice = co_await conn.open_websocket("/echo", asio::use_awaitable);
  auto bob = co_await conn.open_websocket("/echo", asio::use_awaitable);
  auto carol = co_await conn.open_websocket("/echo", asio::use_awaitable);

  co_await (chat(alice, "alice", count) && chat(bob, "bob", count) && chat(carol, "carol", count) &&
            fetch(conn));
  conn.close();  // GOAWAY; the connection ends once its streams are done
}

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 5;
  asio::io_context ioc;

  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", 0)) {
    std::cerr << "listen: " << ec.message() << "\n";
    return 1;
  }
  const std::string url = "ws://127.0.0.1:" + std::to_string(server.port());

  int status = 0;
  asio::co_spawn(ioc, client(url, count), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::cerr << "error: " << x.what() << "\n";
        status = 1;
      }
    }
    server.stop();  // run() returns once the server's connections are gone
  });
  ioc.run();
  return status;
}
