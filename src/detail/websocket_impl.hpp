// The state of one websocket on one HTTP/2 stream: the RFC 6455 codec, the
// send queue feeding nghttp2's data source, the inbox with flow-control
// accounting, and the close handshake. Every member runs on the connection's strand.
#pragma once

#include "detail/carrier.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/reader.hpp"
#include <h2ws/connection.hpp>
#include <h2ws/websocket.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::detail {

struct connection_owner;

class websocket_impl final : public std::enable_shared_from_this<websocket_impl> {
 public:
  websocket_impl(std::shared_ptr<carrier> conn, ws::role role);
  ~websocket_impl();

  // Handshake facts: written before the handle is handed out, read-only afterwards.
  std::int32_t stream_id = -1;
  unsigned status = 0;
  header_list headers;
  std::string path;
  std::string subprotocol;
  std::vector<std::string> offered_subprotocols;
  std::string extensions;  // negotiated sec-websocket-extensions value
  // Scripted server only: the stream carries raw bytes, no RFC 6455 codec.
  bool raw = false;
  // Calls of the public handle posted to the strand and not run yet (any thread): while
  // there are some, a call made on the strand is posted too, to keep call order.
  std::atomic<std::uint32_t> posted_calls{0};

  /// permessage-deflate was negotiated with these settings.
  void enable_deflate(const ws::deflate_params& params);
  /// Every sec-websocket-extensions field of `headers`, joined with ", " (repeated
  /// fields are one list, RFC 9110 5.3).
  std::string extension_fields() const;
  /// Client: checks the answer's sec-websocket-extensions against our offer and
  /// turns compression on when agreed. error::bad_extension_negotiation otherwise.
  boost::system::error_code accept_extensions();

  carrier& connection() { return *conn_; }
  std::uint16_t peer_close_code() const { return peer_close_code_; }
  std::string peer_close_reason() const { return peer_close_reason_; }
  std::uint32_t reset_code() const { return reset_code_; }
  bool is_open() const { return open_flag_; }

  // Client role: the CONNECT was submitted; `handler` gets the websocket.
  void await_open(connection::open_handler handler, std::shared_ptr<connection_owner> owner);
  // Server role: the 200 was submitted.
  void mark_open();

  // From the connection (HTTP/2 events).
  void on_header(std::string_view name, std::string_view value);
  void on_headers_complete(bool end_stream);
  void on_data(std::span<const std::uint8_t> data);
  void on_remote_end_stream();
  void on_stream_closed(std::uint32_t error_code);
  void on_connection_failed(boost::system::error_code ec);
  ssize_t read_body(std::uint8_t* buf, std::size_t length, std::uint32_t* data_flags);
  // HTTP/2: how many bytes the next DATA frame carries (NGHTTP2_DATA_FLAG_NO_COPY), or
  // NGHTTP2_ERR_DEFERRED; take_data() then appends exactly that many to `out`.
  ssize_t prepare_data(std::size_t length, std::uint32_t* data_flags);
  void take_data(std::vector<std::uint8_t>& out, std::size_t n);
  // Server stop: close with 1001.
  void going_away();

  // From the public handle (already on the strand).
  // `on_strand`: see websocket::send_impl().
  void send(message&& m, websocket::send_handler&& handler, bool on_strand = false);
  // `on_strand`: see websocket::receive_impl().
  void receive(websocket::receive_handler handler, bool on_strand = false);
  void close(std::uint16_t code, std::string reason, websocket::send_handler handler);
  void ping(std::string payload, websocket::send_handler handler);
  void abandon();
  // Scripted server only: END_STREAM without a close frame, or RST_STREAM.
  void raw_end_stream();
  void raw_reset(std::uint32_t error_code);
  // Keepalive tick: a ping frame on an idle open websocket.
  void keepalive();

 private:
  enum class state { opening, open, closed };

  void finish_open(boost::system::error_code ec);
  void handle_event(ws::event& ev);
  void violation(boost::system::error_code ec, std::uint16_t close_code);
  bool maybe_reply_to_close();
  void queue_frame(ws::opcode op, std::span<const std::uint8_t> payload, bool rsv1 = false,
                   bool fin = true);
  // The same with a payload it takes over (masked in place on the client side): no copy.
  void queue_owned_frame(ws::opcode op, std::string&& payload, bool rsv1 = false, bool fin = true);
  void queue_message(ws::opcode op, std::string&& payload);
  struct out_frame;
  void push_frame(out_frame&& frame);
  // Hands the next `n` queued bytes to `sink(const std::uint8_t*, std::size_t)` piece by piece.
  template <class Sink>
  void take_out(std::size_t n, Sink&& sink);
  void queue_close(std::uint16_t code, std::string_view reason);
  void end_our_half();
  void start_close_timer();
  void terminate(boost::system::error_code ec);
  void deliver();
  void pump(websocket::receive_handler h, bool on_strand, message m);
  void acknowledge_if_drained();
  void complete_sends();
  void fail_sends(boost::system::error_code ec);
  void complete_closes(boost::system::error_code ec);

  std::shared_ptr<carrier> conn_;
  ws::role role_;
  state state_ = state::opening;
  ws::reader reader_;
  std::unique_ptr<ws::deflater> deflater_;  // set when permessage-deflate is on
  std::unique_ptr<ws::inflater> inflater_;

  // Sending: frames queued in order, handed to nghttp2 by read_body() (HTTP/1.1: copied
  // out), or by prepare_data() and take_data() (HTTP/2: copied once, into the write batch).
  struct out_frame {
    std::array<std::uint8_t, 14> header{};  // ws::max_frame_header_size
    std::uint8_t header_size = 0;
    std::string payload;  // masked already on the client side
    std::size_t size() const { return header_size + payload.size(); }
  };
  std::deque<out_frame> out_;
  std::size_t out_front_offset_ = 0;  // into header, then payload, of out_.front()
  std::size_t out_bytes_ = 0;         // bytes in out_ not yet handed over
  std::uint64_t queued_total_ = 0;    // bytes ever queued
  std::uint64_t written_total_ = 0;   // bytes ever handed to nghttp2
  struct pending_send {
    std::uint64_t end;  // written_total_ at which this send is done
    websocket::send_handler handler;
    bool on_strand = false;  // the handler runs inline on the strand (no executor lookup)
  };
  std::deque<pending_send> sends_;
  std::vector<pending_send> spare_done_;  // complete_sends()' list, kept for reuse
  bool deferred_ = false;                 // nghttp2 is waiting for resume()
  bool end_after_queue_ = false;          // END_STREAM once out_ drains
  bool ended_ = false;                    // END_STREAM handed to nghttp2

  // Receiving.
  std::deque<message> inbox_;
  std::size_t inbox_bytes_ = 0;  // payload bytes held in inbox_
  websocket::receive_handler receive_handler_;
  bool receive_on_strand_ = false;           // receive_handler_ runs inline on the strand
  std::size_t unacknowledged_ = 0;           // DATA bytes not yet given back as window
  boost::system::error_code receive_error_;  // after the inbox drains, every receive gets it
  boost::system::error_code send_error_;     // every send gets it once set

  // Close handshake.
  bool close_sent_ = false;
  std::size_t header_bytes_ = 0;  // of the answer, as RFC 9113 counts them
  bool headers_too_big_ = false;
  bool close_received_ = false;
  bool close_reply_pending_ = false;  // the peer closed; we answer once the app caught up
  std::uint16_t close_reply_code_ = 1005;
  bool pumping_ = false;            // pump() is handing messages over
  bool app_holds_message_ = false;  // a message was delivered; no receive() since
  std::uint16_t peer_close_code_ = 1006;
  std::string peer_close_reason_;
  std::uint32_t reset_code_ = 0;
  std::vector<websocket::send_handler> close_handlers_;
  struct pending_ping {
    std::string payload;
    websocket::send_handler handler;
  };
  std::deque<pending_ping> pings_;
  boost::asio::steady_timer timer_;  // open timeout, then close timeout
  std::atomic<bool> open_flag_{false};

  // Client open.
  connection::open_handler open_handler_;
  std::shared_ptr<connection_owner> owner_for_handle_;
};

}  // namespace h2ws::detail
