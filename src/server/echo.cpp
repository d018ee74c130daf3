// The bundled echo handler: every message goes back as it came, in order.
#include <h2ws/handler_allocator.hpp>
#include <h2ws/server.hpp>

#include <cstddef>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws {

namespace asio = boost::asio;

namespace {

// Echoes in flight (sent, not yet handed to HTTP/2) at most: this many, and this many
// bytes (one stream window's worth). The write loop sends what is in flight in one
// write; beyond either limit the handler stops receiving (backpressure).
constexpr int max_echoes_in_flight = 1024;
constexpr std::size_t max_echo_bytes_in_flight = 4 * 1024 * 1024;

struct echo_state {
  explicit echo_state(const asio::any_io_executor& ex) : slot(ex) {}
  int in_flight = 0;
  std::size_t bytes_in_flight = 0;
  bool failed = false;
  asio::steady_timer slot;  // cancelled when an echo completes
  bool full() const {
    return in_flight >= max_echoes_in_flight || bytes_in_flight >= max_echo_bytes_in_flight;
  }
};

// Until every echo is handed over (`drain`), or until there is room for one more.
asio::awaitable<void> wait_for_room(echo_state& state, bool drain) {
  while ((drain ? state.in_flight > 0 : state.full()) && !state.failed) {
    state.slot.expires_at(asio::steady_timer::time_point::max());
    co_await state.slot.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> echo_loop(websocket ws) {
  // Runs on the connection's strand, as do the send completions below.
  auto state = std::make_shared<echo_state>(co_await asio::this_coro::executor);
  for (;;) {
    // The receive's type-erased handler takes its memory from the same free list.
    auto [ec, m] = co_await ws.receive(
        asio::bind_allocator(handler_allocator<void>(), asio::as_tuple(asio::use_awaitable)));
    if (ec) break;  // closed (our close frame is already on its way) or failed
    if (state->full()) co_await wait_for_room(*state, false);
    if (state->failed) break;
    ++state->in_flight;
    const std::size_t size = m.size();
    state->bytes_in_flight += size;
    // One completion handler per echo: its memory comes from a per-thread free list.
    ws.send(std::move(m), asio::bind_allocator(handler_allocator<void>(),
                                               [state, size](boost::system::error_code ec) {
                                                 --state->in_flight;
                                                 state->bytes_in_flight -= size;
                                                 if (ec) state->failed = true;
                                                 state->slot.cancel();
                                               }));
  }
  co_await wait_for_room(*state, true);  // keep the websocket until its last echo is handed over
}

}  // namespace

void echo(websocket ws) {
  auto ex = ws.get_executor();
  asio::co_spawn(ex, echo_loop(std::move(ws)), asio::detached);
}

}  // namespace h2ws
