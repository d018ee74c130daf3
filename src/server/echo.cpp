// The bundled echo handler: every message goes back as it came.
#include <h2ws/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws {

namespace asio = boost::asio;

namespace {
asio::awaitable<void> echo_loop(websocket ws) {
  for (;;) {
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // closed (our close frame is already on its way) or failed
    auto [sec] = co_await ws.send(std::move(m), asio::as_tuple(asio::use_awaitable));
    if (sec) co_return;
  }
}
}  // namespace

void echo(websocket ws) {
  auto ex = ws.get_executor();
  asio::co_spawn(ex, echo_loop(std::move(ws)), asio::detached);
}

}  // namespace h2ws
