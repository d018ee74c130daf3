// The bundled echo handler: every message goes back as it came, in order.
#include <h2ws/handler_allocator.hpp>
#include <h2ws/server.hpp>

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

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
// executor, so they run there), no coroutine frame per message, and a handler per batch
// of messages (receive_batch(), send_batch()), not per message. Pending operations hold
// it, and it holds the websocket: it ends once the receive failed (closed) and the last
// echo was handed over.
class echo_session : public std::enable_shared_from_this<echo_session> {
 public:
  explicit echo_session(websocket ws) : ws_(std::move(ws)) {}

  void receive_next() {
    if (receiving_ || closed_ || failed_ || full()) return;
    receiving_ = true;
    // The type-erased handler takes its memory from a per-thread free list; the batch's
    // vector is one a send gave back (two take turns), so steady traffic allocates nothing.
    ws_.receive_batch(
        std::exchange(spare_, {}), static_cast<std::size_t>(max_echoes_in_flight - in_flight_),
        asio::bind_allocator(
            handler_allocator<void>(),
            [self = shared_from_this()](boost::system::error_code ec, std::vector<message> batch) {
              self->on_batch(ec, std::move(batch));
            }));
  }

 private:
  bool full() const {
    return in_flight_ >= max_echoes_in_flight || bytes_in_flight_ >= max_echo_bytes_in_flight;
  }

  void keep_spare(std::vector<message>&& v) {
    if (v.capacity() > spare_.capacity()) spare_ = std::move(v);
  }

  void on_batch(boost::system::error_code ec, std::vector<message> batch) {
    receiving_ = false;
    if (ec) {  // closed (our close frame is already on its way) or failed
      closed_ = true;
      return;
    }
    const int count = static_cast<int>(batch.size());
    std::size_t size = 0;
    for (const auto& m : batch) size += m.size();
    in_flight_ += count;
    bytes_in_flight_ += size;
    ws_.send_batch(
        std::move(batch),
        asio::bind_allocator(handler_allocator<void>(),
                             [self = shared_from_this(), count, size](
                                 boost::system::error_code ec, std::vector<message> emptied) {
                               self->in_flight_ -= count;
                               self->bytes_in_flight_ -= size;
                               if (ec) self->failed_ = true;
                               self->keep_spare(std::move(emptied));
                               self->receive_next();  // there may be room again
                             }));
    receive_next();
  }

  websocket ws_;
  std::vector<message> spare_;  // storage for the next batch
  int in_flight_ = 0;
  std::size_t bytes_in_flight_ = 0;
  bool receiving_ = false;
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace

void echo(websocket ws) { std::make_shared<echo_session>(std::move(ws))->receive_next(); }

}  // namespace h2ws
