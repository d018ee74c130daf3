// The bundled echo handler: every message goes back as it came, in order.
#include <h2ws/server.hpp>

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws {

namespace asio = boost::asio;

namespace {

// Up to this many echoes in flight: the write loop then sends them in batches
// instead of one write per message; beyond it the handler waits (backpressure).
constexpr int max_echoes_in_flight = 64;

struct echo_state {
  explicit echo_state(const asio::any_io_executor& ex) : slot(ex) {}
  int in_flight = 0;
  bool failed = false;
  asio::steady_timer slot;  // cancelled when an echo completes
};

asio::awaitable<void> wait_below(echo_state& state, int limit) {
  while (state.in_flight > limit && !state.failed) {
    state.slot.expires_at(asio::steady_timer::time_point::max());
    co_await state.slot.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> echo_loop(websocket ws) {
  // Runs on the connection's strand, as do the send completions below.
  auto state = std::make_shared<echo_state>(co_await asio::this_coro::executor);
  for (;;) {
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (ec) break;  // closed (our close frame is already on its way) or failed
    co_await wait_below(*state, max_echoes_in_flight - 1);
    if (state->failed) break;
    ++state->in_flight;
    ws.send(std::move(m), [state](boost::system::error_code ec) {
      --state->in_flight;
      if (ec) state->failed = true;
      state->slot.cancel();
    });
  }
  co_await wait_below(*state, 0);  // keep the websocket until its last echo is handed over
}

}  // namespace

void echo(websocket ws) {
  auto ex = ws.get_executor();
  asio::co_spawn(ex, echo_loop(std::move(ws)), asio::detached);
}

}  // namespace h2ws
