// The bundled echo handler: every message goes back as it came, in order.
#include <h2ws/handler_allocator.hpp>
#include <h2ws/server.hpp>

#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/bind_allocator.hpp>

namespace h2ws {

namespace asio = boost::asio;

namespace {

// Echoes in flight (sent, not yet handed to HTTP/2) at most: this many, and this many
// bytes. The write loop sends what is in flight in one write; beyond either limit the
// handler stops receiving (backpressure) until a send completes.
constexpr int max_echoes_in_flight = 1024;
constexpr std::size_t max_echo_bytes_in_flight = 4 * 1024 * 1024;

// One websocket's echo: plain handlers on the connection's strand (no associated
// executor, so they run there), no coroutine frame per message. Pending operations hold
// it, and it holds the websocket: it ends once the receive failed (closed) and the last
// echo was handed over.
class echo_session : public std::enable_shared_from_this<echo_session> {
 public:
  explicit echo_session(websocket ws) : ws_(std::move(ws)) {}

  void receive_next() {
    if (receiving_ || closed_ || failed_ || full()) return;
    receiving_ = true;
    // The receive's type-erased handler takes its memory from a per-thread free list.
    ws_.receive(
        asio::bind_allocator(handler_allocator<void>(),
                             [self = shared_from_this()](boost::system::error_code ec, message m) {
                               self->on_message(ec, std::move(m));
                             }));
  }

 private:
  bool full() const {
    return in_flight_ >= max_echoes_in_flight || bytes_in_flight_ >= max_echo_bytes_in_flight;
  }

  void on_message(boost::system::error_code ec, message m) {
    receiving_ = false;
    if (ec) {  // closed (our close frame is already on its way) or failed
      closed_ = true;
      return;
    }
    ++in_flight_;
    const std::size_t size = m.size();
    bytes_in_flight_ += size;
    ws_.send(std::move(m),
             asio::bind_allocator(handler_allocator<void>(),
                                  [self = shared_from_this(), size](boost::system::error_code ec) {
                                    --self->in_flight_;
                                    self->bytes_in_flight_ -= size;
                                    if (ec) self->failed_ = true;
                                    self->receive_next();  // there may be room again
                                  }));
    receive_next();
  }

  websocket ws_;
  int in_flight_ = 0;
  std::size_t bytes_in_flight_ = 0;
  bool receiving_ = false;
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace

void echo(websocket ws) { std::make_shared<echo_session>(std::move(ws))->receive_next(); }

}  // namespace h2ws
