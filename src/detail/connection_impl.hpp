// The state of one HTTP/2 connection, client or server role: the transport,
// the HTTP/2 session (src/h2), the read and write loops and the stream registry
// (connection_impl.cpp); the client role's dialing, CONNECTs and requests
// (client_streams.cpp); the server role's routing and idle timeout (src/server/h2_streams.cpp).
// Every member runs on the strand.
#pragma once

#include "detail/carrier.hpp"
#include "h2/session.hpp"
#include "net/transport.hpp"
#include "net/url.hpp"
#include "ws/byte_buffer.hpp"
#include <h2ws/connection.hpp>
#include <h2ws/options.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

namespace boost::asio::ssl {
class context;
}

namespace h2ws::detail {

class websocket_impl;
struct connection_owner;
struct server_context;

class connection_impl final : public carrier,
                              public std::enable_shared_from_this<connection_impl>,
                              private h2::session_events {
 public:
  connection_impl(boost::asio::any_io_executor ex, h2::role role, options opts);
  connection_impl(net::strand strand, h2::role role, options opts);
  /// `opts` as prepared_options() made them, shared with other connections (a server's).
  connection_impl(net::strand strand, h2::role role, std::shared_ptr<const options> opts);
  ~connection_impl() override;
  /// `opts` as a connection uses them (the log folded into the trace), to share.
  static std::shared_ptr<const options> prepared_options(options opts);

  // carrier
  strand_type& strand() override { return strand_; }
  const options& opts() const override { return opts_; }
  void trace(std::string_view line) const override {
    if (opts_.trace) opts_.trace(line);
  }
  void resume(std::int32_t stream_id) override { session_->resume(stream_id); }
  void consume(std::int32_t stream_id, std::size_t n) override { session_->consume(stream_id, n); }
  void reset(std::int32_t stream_id, std::uint32_t code) override {
    session_->reset_stream(stream_id, code);
  }
  void wake_writer() override;
  void forget_stream(std::int32_t stream_id) override;
  void give_back_held() override;
  int http_version() const override { return 2; }

  h2::role role() const { return role_; }
  h2::session& session() { return *session_; }

  // Client role: resolve, connect, preface, wait for SETTINGS; then `handler`.
  void start_client(net::parsed_url url, connection::connect_handler handler);
  // Client role: an extended CONNECT on a new stream.
  void open_websocket(websocket_request request, connection::open_handler handler,
                      std::shared_ptr<connection_owner> owner);
  // Client role: a plain HTTP request on a new stream.
  void send_request(http_request request, connection::request_handler handler);
  // Server role: serve one accepted socket.
  // Server role: serve `transport`; `initial` was read from it already (the preface).
  void start_server(std::unique_ptr<net::transport> transport, std::vector<std::uint8_t> initial,
                    std::shared_ptr<server_context> ctx);

  // The last user handle is gone: GOAWAY, finish open streams, close.
  void release();
  // Server stop: GOAWAY, then close every websocket with 1001 or let them finish.
  void shutdown(bool close_websockets);
  // Closes the transport at once, as a network failure would.
  void abort();

  // Readable from any thread.
  bool is_open() const { return open_.load(); }
  bool supports_websockets() const { return extended_connect_.load(); }
  std::size_t streams_in_use() const { return streams_in_use_.load(); }
  std::uint32_t max_concurrent_streams() const { return max_concurrent_streams_.load(); }
  const net::parsed_url& url() const { return url_; }

 private:
  boost::asio::awaitable<void> connect_flow(net::parsed_url url);
  void start_session(h2::role role);
  // The read and write loops: plain handlers on the strand (no coroutine frame, no type
  // erasure per read or write).
  void start_loops();
  void start_read();
  void on_readable(boost::system::error_code ec);
  void on_read(boost::system::error_code ec, std::size_t n);
  // Once a read went in: the error it made (perr), or what it made written (now, or in a
  // turn of its own) and the next read started.
  void after_read(const boost::system::error_code& perr, bool write_inline);
  void write_some();
  // Writes the batch: at once as far as the socket takes it (plain TCP), the rest by an
  // async_write. True when all of it went at once (the batch is released then).
  bool write_batch();
  void on_written(boost::system::error_code ec);
  void finish_writing();
  struct read_handler;
  // Bytes waiting to be written: the batch being written and every websocket's queue.
  std::size_t buffered_output() const;
  void fail(boost::system::error_code ec);
  void finish_connect(boost::system::error_code ec);
  void maybe_finish_release();
  // Server role: whether a websocket or a request (its headers complete) is in progress.
  bool busy() const;
  void watch_idle();
  void close_idle(const char* why);
  void count_streams();
  void schedule_ping();
  void arm_ping_deadline();
  h2::session_events& events() { return *this; }

  // h2::session_events
  void on_remote_settings() override;
  int on_begin_headers(std::int32_t stream_id) override;
  int on_header(std::int32_t stream_id, std::string_view name, std::string_view value) override;
  int on_headers_complete(std::int32_t stream_id, bool end_stream) override;
  int on_data(std::int32_t stream_id, std::span<const std::uint8_t> data) override;
  int on_remote_end_stream(std::int32_t stream_id) override;
  int on_stream_closed(std::int32_t stream_id, std::uint32_t error_code) override;
  void on_goaway(std::int32_t last_stream_id, std::uint32_t error_code) override;
  void on_ping_ack() override;
  h2::body_chunk read_body(std::int32_t stream_id, std::uint8_t* buf, std::size_t length) override;
  int on_send_data(std::int32_t stream_id, std::span<const std::uint8_t> frame_header,
                   std::size_t length, std::size_t padding) override;

  // Server role: a request that is not (or not yet) a websocket.
  struct plain_stream {
    header_list headers;
    std::size_t header_bytes = 0;  // decoded, as RFC 9113 6.5.2 counts them
    std::string request_body;      // a plain request's, until END_STREAM
    bool awaiting_body = false;
    std::string body;  // our answer's body
    std::size_t sent = 0;
    bool answered = false;
  };
  void answer_request(std::int32_t stream_id, plain_stream& request);

  // Client role: a plain request in flight.
  struct client_request {
    http_response response;
    std::size_t header_bytes = 0;
    std::string body_out;
    std::size_t sent = 0;
    connection::request_handler handler;
    std::unique_ptr<net::timer> timer;
  };
  void finish_request(std::int32_t stream_id, boost::system::error_code ec);
  std::unordered_map<std::int32_t, client_request> requests_;

  strand_type strand_;
  h2::role role_;
  std::shared_ptr<const options> shared_opts_;  // a server's connections share one copy
  const options& opts_;                         // *shared_opts_
  net::parsed_url url_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // outlives the TLS stream
  std::unique_ptr<net::transport> transport_;
  // The socket being connected or handshaken, closed by the connect deadline.
  net::tcp_socket* connecting_socket_ = nullptr;
  std::unique_ptr<h2::session> session_;
  // What the write loop writes next: nghttp2's output, websocket DATA appended to it
  // directly by on_send_data().
  ws::byte_buffer batch_;
  // Not zero-filled, allocated at the first read: an idle connection keeps only the pages
  // a read has touched.
  std::unique_ptr<std::uint8_t[]> read_buffer_;  // TLS only (plain TCP: one per thread)
  std::uint8_t* read_data_ = nullptr;            // where the read being taken in is
  std::vector<std::uint8_t> initial_bytes_;      // server: read before the session existed
  std::string peer_;                             // server: the client's address
  // Client: the connect deadline (until the server's SETTINGS). Server: the idle or the
  // drain deadline (watch_idle(), shutdown()).
  net::timer deadline_;
  bool idle_armed_ = false;  // server: deadline_ waits for the idle timeout
  bool draining_ = false;    // server: deadline_ bounds the drain after shutdown()
  net::timer ping_timer_;
  net::timer ping_deadline_;
  std::unordered_map<std::int32_t, std::shared_ptr<websocket_impl>> websockets_;
  // The websocket found last: DATA in, read_body() and on_send_data() for one echo all
  // ask for the same stream. Reset whenever websockets_ changes.
  std::int32_t last_websocket_id_ = 0;
  websocket_impl* last_websocket_ = nullptr;
  websocket_impl* find_websocket(std::int32_t stream_id);
  void websockets_changed() { last_websocket_ = nullptr; }
  std::unordered_map<std::int32_t, plain_stream> plain_streams_;
  std::shared_ptr<server_context> server_;
  connection::connect_handler connect_handler_;
  boost::system::error_code failure_;     // set once the connection is dead
  std::int32_t goaway_last_stream_ = -1;  // from the peer's GOAWAY; -1 = none
  bool remote_settings_ = false;
  bool released_ = false;
  bool writing_ = false;       // an async_write is in flight
  bool write_posted_ = false;  // write_some() is posted
  bool writes_after_read_ =
      false;                  // in on_read(): it writes at its end, wake_writer() need not post
  bool writer_done_ = false;  // the transport is closed for good
  bool read_paused_ = false;  // the write side is backed up: no read in flight
  int write_yields_ = 0;      // turns the writer waited for answers to deliveries
  bool ping_outstanding_ = false;
  std::atomic<bool> open_{false};
  std::atomic<bool> extended_connect_{false};
  std::atomic<std::size_t> streams_in_use_{0};
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until its SETTINGS arrive.
  std::atomic<std::uint32_t> max_concurrent_streams_{0xffffffffu};
};

}  // namespace h2ws::detail
