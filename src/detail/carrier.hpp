// What carries a websocket's bytes: one HTTP/2 stream of a connection_impl
// (RFC 8441) or a whole HTTP/1.1 connection after 101 (h1_connection). The
// websocket runs the same codec and close handshake over either.
#pragma once

#include "net/executor.hpp"
#include <h2ws/options.hpp>
#include <h2ws/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/any_completion_executor.hpp>

namespace h2ws::ws {
struct session_config;
enum class role;
}  // namespace h2ws::ws

namespace h2ws::detail {

class websocket_impl;

class carrier {
 public:
  using strand_type = net::strand;
  virtual ~carrier() = default;

  virtual strand_type& strand() = 0;
  virtual const options& opts() const = 0;
  virtual void trace(std::string_view line) const = 0;
  /// The websocket queued bytes after saying it had none: pull again.
  virtual void resume(std::int32_t stream_id) = 0;
  /// The application consumed `n` received bytes: the peer may send more.
  virtual void consume(std::int32_t stream_id, std::size_t n) = 0;
  /// Abort the byte stream (RST_STREAM, or closing an HTTP/1.1 connection).
  virtual void reset(std::int32_t stream_id, std::uint32_t http2_error_code) = 0;
  /// Something is ready to write.
  virtual void wake_writer() = 0;
  /// The websocket is finished with its stream.
  virtual void forget_stream(std::int32_t stream_id) = 0;
  /// 2 for RFC 8441 over HTTP/2, 1 for an HTTP/1.1 Upgrade.
  virtual int http_version() const = 0;

  /// Received messages posted to their receive handlers and not yet handed over. While
  /// some are, the writer keeps collecting output instead of writing it: what the
  /// application sends in answer joins the same write (one write per batch of messages,
  /// not one per message). Strand only.
  std::size_t deliveries_in_flight = 0;

  /// Inside the read handler, while the bytes read are taken in: a websocket with a
  /// message for a waiting receive is noted here instead of posting its delivery, and
  /// run_deliveries() hands the messages over once the bytes are in, still inside the
  /// read handler (not inside any receive() call, and outside the HTTP/2 session's
  /// callbacks): one scheduler hop less per message. Strand only.
  bool reading = false;
  std::vector<std::shared_ptr<websocket_impl>> pending_deliveries;
  /// Hands over what the read noted (defined in websocket_impl.cpp).
  void run_deliveries();
  /// Posts what the read noted, each delivery in a turn of its own (after a receive
  /// handler threw, for the messages still due).
  void post_deliveries();
  /// After a slice of a read went in: hands over what it noted; false when it noted
  /// nothing. Should a receive handler throw (out of run(), as from any handler), the
  /// exception waits in `thrown` while the rest of the read still goes in, and what later
  /// slices note is posted.
  bool deliver_noted(std::exception_ptr& thrown);

  /// Received bytes the applications consumed are given back to the peer in quanta: a
  /// websocket holds what it consumed until it reaches `window_quantum` bytes (0: at once,
  /// HTTP/1.1), and once all of them together hold `held_window_limit`, every one gives
  /// back what it holds (give_back_held()). Both at most a quarter of the receive window
  /// they draw on, so a peer that waits for window always gets it: the HTTP/2 session
  /// sends WINDOW_UPDATE once half its window was consumed. One call into the session per
  /// quantum instead of one per message. Strand only.
  std::size_t window_quantum = 0;
  std::size_t held_window_limit = 0;
  std::size_t held_window = 0;
  virtual void give_back_held() {}

  /// A send whose bytes the writer took: its handler is due.
  struct completed_send {
    websocket::send_handler handler;
    bool on_strand = false;  // the handler runs inline on the strand (no executor lookup)
    // Or a send_batch()'s: its handler gets its emptied vector back.
    websocket::batch_handler batch;
    std::vector<message> storage;
  };
  /// The sends that the writer's take_output() calls completed (on HTTP/2, inside the
  /// session's callbacks). The writer runs them with run_completed_sends() once its write
  /// is under way: no post per send, and no handler inside those callbacks. Strand only.
  std::vector<completed_send> completed_sends;
  /// Completes what the writer collected (defined in websocket_impl.cpp).
  void run_completed_sends();

  /// The settings of its websockets' sessions, made from opts() once and shared by all of
  /// them (defined in websocket_impl.cpp).
  const std::shared_ptr<const ws::session_config>& session_config(ws::role role);

  /// strand() as the candidate of get_associated_executor() for type-erased handlers:
  /// made once (an any_completion_executor made from a strand is a heap allocation).
  const boost::asio::any_completion_executor& completion_executor() {
    if (!completion_executor_) completion_executor_.emplace(strand());
    return *completion_executor_;
  }

 private:
  std::optional<boost::asio::any_completion_executor> completion_executor_;
  std::shared_ptr<const ws::session_config> session_config_;
};

}  // namespace h2ws::detail
