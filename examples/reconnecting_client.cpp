// A websocket that survives a server restart: h2ws::reconnecting_websocket reopens it with
// backoff, the `connected` event resubscribes, and every send completes only once the
// server confirmed it. Self-contained: it runs an echo server on 127.0.0.1 (a free port),
// restarts it half way, and exits 0 when every message came back.
#include <h2ws/h2ws.hpp>

#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

// Sends `text` until the server confirms it, then waits for its echo (the subscription's
// echo may come first). A message the loss took with it is reported, never resent by h2ws:
// resending is the application's call (here the message is harmless to repeat).
asio::awaitable<void> round_trip(h2ws::reconnecting_websocket& ws, const std::string& text) {
  for (;;) {
    auto [ec] = co_await ws.send(h2ws::message::text(text), asio::as_tuple(asio::use_awaitable));
    if (!ec) break;
    if (ec != h2ws::error::message_not_sent) throw boost::system::system_error(ec);
    std::cout << "not confirmed before the loss, sending again: " << text << "\n";
  }
  for (;;) {
    h2ws::message m = co_await ws.receive(asio::use_awaitable);
    std::cout << "  < " << m.text() << "\n";
    if (m.text() == text) co_return;
  }
}

asio::awaitable<void> client(std::string url, std::unique_ptr<h2ws::server>& server) {
  auto ex = co_await asio::this_coro::executor;
  const auto port = server->port();

  h2ws::reconnect_options retry;
  retry.initial_delay = std::chrono::milliseconds(50);
  h2ws::reconnecting_websocket* self = nullptr;
  retry.on_event = [&](const h2ws::reconnect_event& e) {
    using kind = h2ws::reconnect_event::kind;
    if (e.what == kind::connected) {
      std::cout << "connected (stream " << e.ws->stream_id() << "), subscribing\n";
      // Sent before anything queued while disconnected.
      self->send(h2ws::message::text("subscribe"), [](boost::system::error_code) {});
    } else {
      std::cout << (e.what == kind::lost ? "lost: " : "attempt failed: ") << e.reason.message()
                << " (close code " << self->peer_close_code() << ")\n";
    }
  };
  h2ws::options opts;
  h2ws::reconnecting_websocket ws(ex, url, opts, retry);
  self = &ws;
  ws.run([](boost::system::error_code ec) { std::cout << "run ended: " << ec.message() << "\n"; });

  co_await round_trip(ws, "before the restart");

  std::cout << "restarting the server\n";
  server->stop();  // closes the websocket with 1001 (going away): a loss, not an end
  server = std::make_unique<h2ws::server>(ex, h2ws::server_options{}, h2ws::echo);
  if (auto ec = server->listen("127.0.0.1", port)) throw boost::system::system_error(ec);

  co_await round_trip(ws, "after the restart");
  co_await ws.close(h2ws::close_code::normal, "done", asio::use_awaitable);
  std::cout << "websockets opened: " << ws.connections() << "\n";
  if (ws.connections() != 2) throw std::runtime_error("expected one reconnection");
}

int main() {
  asio::io_context ioc;
  auto server =
      std::make_unique<h2ws::server>(ioc.get_executor(), h2ws::server_options{}, h2ws::echo);
  if (auto ec = server->listen("127.0.0.1", 0)) {
    std::cerr << "listen: " << ec.message() << "\n";
    return 1;
  }
  const std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/echo";

  int status = 0;
  asio::co_spawn(ioc, client(url, server), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::cerr << "error: " << x.what() << "\n";
        status = 1;
      }
    }
    server->stop();  // run() returns once the server's connections are gone
  });
  ioc.run();
  return status;
}
