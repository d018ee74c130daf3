// The Asio driver of one websocket: the handshake facts and the open, and around
// the I/O-free ws::session (codec, queues, close handshake), the handlers, the
// timer and the carrier (an HTTP/2 stream or an upgraded HTTP/1.1 connection).
// Every member runs on the connection's strand.
#pragma once

#include "detail/carrier.hpp"
#include "detail/packed_headers.hpp"
#include "ws/first_inline_fifo.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/session.hpp"
#include <h2ws/connection.hpp>
#include <h2ws/websocket.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include <boost/asio/cancellation_type.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::detail {

/// The permessage-deflate parameters `o` asks for (client) or imposes (server). Returns
/// errc::invalid_argument, and leaves `out` alone, when a value is out of range.
boost::system::error_code deflate_params_of(const deflate_options& o, ws::deflate_params& out);

struct connection_owner;

class websocket_impl final : public std::enable_shared_from_this<websocket_impl> {
 public:
  websocket_impl(std::shared_ptr<carrier> conn, ws::role role);
  ~websocket_impl();

  // Handshake facts: written before the handle is handed out, read-only afterwards.
  std::int32_t stream_id = -1;
  unsigned status = 0;
  std::string path;
  std::string subprotocol;
  std::string extensions;  // negotiated sec-websocket-extensions value
  // Calls of the public handle posted to the strand and not run yet (any thread): while
  // there are some, a call made on the strand is posted too, to keep call order.
  std::atomic<std::uint32_t> posted_calls{0};

  /// The handshake's header fields: the request's on the server, the answer's on the client.
  void set_headers(const header_list& fields) { headers_.assign(fields); }
  const header_list& headers() const { return headers_.list(); }
  /// Client: the subprotocols the CONNECT offered; the answer may pick one of them only.
  void offer_subprotocols(const std::vector<std::string>& offered);

  /// Test hook (the scripted conformance server): the stream carries raw bytes, no codec.
  void make_raw();
  /// permessage-deflate was negotiated with these settings.
  void enable_deflate(const ws::deflate_params& params);
  /// Every sec-websocket-extensions field of `headers`, joined with ", " (repeated
  /// fields are one list, RFC 9110 5.3).
  std::string extension_fields() const;
  /// Client: checks the answer's sec-websocket-extensions against our offer and
  /// turns compression on when agreed. error::bad_extension_negotiation otherwise.
  boost::system::error_code accept_extensions();

  carrier& connection() { return *conn_; }
  std::uint16_t peer_close_code() const { return session_.peer_close_code(); }
  std::string peer_close_reason() const { return session_.peer_close_reason(); }
  std::uint32_t reset_code() const { return session_.reset_code(); }
  bool is_open() const { return open_flag_; }

  // Client role: the CONNECT was submitted; `handler` gets the websocket.
  void await_open(connection::open_handler handler, std::shared_ptr<connection_owner> owner);
  // Server role: the 2xx was submitted.
  void mark_open();

  // From the carrier.
  void on_header(std::string_view name, std::string_view value);
  void on_headers_complete(bool end_stream);
  void on_data(std::span<const std::uint8_t> data);
  /// Gives back every consumed byte it holds (carrier::give_back_held()); false when it
  /// held none.
  bool give_back_held();
  void on_remote_end_stream();
  void on_stream_closed(std::uint32_t error_code);
  void on_connection_failed(boost::system::error_code ec);
  /// The next bytes of our half, for the carrier's writer.
  struct output_status {
    std::size_t ready = 0;  // bytes that can be taken now
    bool ends = false;      // our half ends once they are taken
    bool waiting = false;   // nothing to take now: the carrier waits for resume()
    bool drained = false;   // all there is, and our half goes on: the carrier may stop
                            // pulling until resume()
  };
  output_status poll_output(std::size_t max);
  /// Bytes queued and not yet taken.
  std::size_t output_size() const { return session_.output_size(); }
  /// Appends the next `n` bytes promised by poll_output(); returns how many. The sends
  /// those bytes complete wait in the carrier's completed_sends: the writer runs them
  /// (carrier::run_completed_sends()) once its write is under way.
  std::size_t take_output(ws::byte_buffer& to, std::size_t n);
  // Server stop: close with 1001.
  void going_away();

  // From the public handle (already on the strand).
  // `on_strand`: see websocket::send_impl().
  void send(message&& m, websocket::send_handler&& handler, bool on_strand = false);
  // `on_strand`: see websocket::receive_impl().
  void receive(websocket::receive_handler&& handler, bool on_strand = false);
  // A receive whose handler takes every message there is, up to `max`, into `storage`.
  void receive_batch(std::vector<message>&& storage, std::size_t max,
                     websocket::batch_handler&& handler, bool on_strand = false);
  // Sends in order with one completion, which gets `messages` back emptied.
  void send_batch(std::vector<message>&& messages, websocket::batch_handler&& handler,
                  bool on_strand = false);
  void close(std::uint16_t code, std::string reason, websocket::send_handler handler);
  void ping(std::string payload, websocket::send_handler handler);
  void abandon();
  // Per-operation cancellation (Asio cancellation slots; the signal may come from any
  // thread, and is carried over to the strand). A receive may be cancelled by any type and
  // loses nothing: no message was taken for it. A send, close, ping or open is cancelled
  // only by terminal cancellation, which abandons the websocket (RST_STREAM CANCEL) as
  // destroying its handle does: what was half sent cannot be taken back.
  enum class cancellable { receive, send, close, ping, open };
  void on_cancel(cancellable what, std::uint64_t id, boost::asio::cancellation_type type);
  // Test hooks (the scripted server): END_STREAM without a close frame, or RST_STREAM.
  void raw_end_stream();
  void raw_reset(std::uint32_t error_code);
  // Keepalive tick: a ping frame on an idle open websocket.
  void keepalive();

 private:
  // Carries out what the session asked for after an event. Inline: most calls find nothing
  // to do (a receive() with no message waiting, say) and skip the body's call.
  void apply() {
    const bool open = !opening_ && session_.is_open();
    if (open != open_flag_.load(std::memory_order_relaxed)) open_flag_ = open;
    if (session_.has_actions()) carry_out(session_.take_actions());
  }
  void carry_out(ws::actions a);
  void carry_out_all(ws::actions& a);  // with the rare ones: timers, resets, closes, the end
  void finish_open(boost::system::error_code ec);
  void arm_timer(std::chrono::nanoseconds after);
  void deliver();
  void deliver_now();
  friend class carrier;
  void pump(websocket::receive_handler h, bool on_strand, message m);
  // What pump() and pump_batch() share (websocket_impl.cpp).
  template <class Handler, class Value, class Next>
  void pump_each(Handler&& h, bool on_strand, Value&& value, const Handler& pending, Next next);
  // A receive_batch()'s delivery: the batch handed to `h`, then as long as it asks for
  // the next batch inline and the session has messages, those too (as pump()).
  void pump_batch(websocket::batch_handler h, bool on_strand, std::vector<message> batch);
  // Takes the pending receive_batch()'s storage, filled with up to its maximum of messages.
  std::vector<message> take_batch();
  bool receive_pending() const { return receive_handler_ || batch_handler_; }
  websocket::batch_handler take_batch_handler();
  // Completes the pending receive_batch() with `ec` (posted) and its vector, emptied.
  void fail_batch(boost::system::error_code ec);

  void complete_sends();
  // Gives back `n` consumed bytes, or holds them until a quantum is reached; true when
  // the carrier has window to send.
  bool give_back(std::size_t n);
  // Installs our canceller in `handler`'s cancellation slot, when it has one.
  template <class Handler>
  void watch_cancellation(Handler& handler, cancellable what, std::uint64_t id);
  websocket::receive_handler take_receive_handler();
  net::timer& timer();
  struct opening_state;
  opening_state& opening();
  struct control_waiters;
  control_waiters& waiters();

  std::shared_ptr<carrier> conn_;
  ws::session session_;
  bool opening_ = true;              // the handshake is not finished yet
  bool waiting_for_resume_ = false;  // the carrier waits for resume() before pulling again
  std::size_t held_window_ = 0;      // consumed, not given back yet (carrier::window_quantum)

  // Sends in order, each done once the session's output reached its position.
  struct pending_send {
    std::uint64_t done_at;
    websocket::send_handler handler;
    bool on_strand = false;  // the handler runs inline on the strand (no executor lookup)
    // Or a send_batch()'s: its handler gets its emptied vector back.
    websocket::batch_handler batch;
    std::vector<message> storage;
  };
  ws::first_inline_fifo<pending_send> sends_;  // the usual one in flight takes no queue

  websocket::receive_handler receive_handler_;
  // Or a pending receive_batch(): its handler, its vector and how many it takes at most.
  websocket::batch_handler batch_handler_;
  std::vector<message> batch_storage_;
  std::size_t batch_max_ = 0;
  bool receive_on_strand_ = false;  // the receive's handler runs inline on the strand
  bool pumping_ = false;            // pump() is handing messages over
  // Sets pumping_ for its life; also when a handler throws: the next receive must deliver.
  struct pumping_scope {
    websocket_impl* self;
    explicit pumping_scope(websocket_impl* s) : self(s) { s->pumping_ = true; }
    ~pumping_scope() { self->pumping_ = false; }
  };
  bool delivery_pending_ = false;  // in the carrier's pending_deliveries
  std::uint64_t receives_ = 0;     // receive() calls so far: the id of the pending one
  std::uint64_t pings_ = 0;        // ping() calls queued so far

  std::atomic<bool> open_flag_{false};
  packed_headers headers_;

  // What only some websockets need is made on first use, so that an idle open websocket
  // does not carry it: the timer (open timeout, then what the session asks for), the
  // client's opening state (dropped once the open is decided), the pending closes and pings.
  std::unique_ptr<net::timer> timer_;
  std::unique_ptr<opening_state> opening_state_;
  std::unique_ptr<control_waiters> waiters_;
};

}  // namespace h2ws::detail
