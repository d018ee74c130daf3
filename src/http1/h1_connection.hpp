// One HTTP/1.1 connection, in either role. Client: the fallback, an RFC 6455 Upgrade
// request. Server: plain requests and Upgrades, answered by the same rules as RFC 8441
// streams. After 101 the whole connection carries one websocket with the same session
// and close handshake as an HTTP/2 stream.
#pragma once

#include "detail/carrier.hpp"
#include "net/dial.hpp"
#include "net/url.hpp"
#include "ws/byte_buffer.hpp"
#include <h2ws/connection.hpp>
#include <h2ws/options.hpp>

#include <memory>
#include <vector>

namespace h2ws::detail {

class websocket_impl;
struct server_context;

class h1_connection final : public carrier, public std::enable_shared_from_this<h1_connection> {
 public:
  h1_connection(boost::asio::any_io_executor ex, options opts);
  /// Server role, on the strand of the accepted socket.
  h1_connection(net::strand strand, options opts);
  ~h1_connection() override;

  /// Dials `url`, sends the Upgrade request for `request`, and completes
  /// `handler` with the open websocket (or the refusal, with its status).
  void start(net::parsed_url url, websocket_request request, connection::open_handler handler);

  /// Server role: serves requests on `transport`, `initial` being bytes already read from
  /// it, until the connection closes or becomes a websocket.
  void start_server(std::unique_ptr<net::transport> transport, std::vector<std::uint8_t> initial,
                    std::shared_ptr<server_context> ctx);
  /// Server stop: no more requests; the websocket (if any) closes with 1001 when
  /// `close_websockets`, or carries on until it closes.
  void shutdown(bool close_websockets);
  /// Closes at once, as a network failure would.
  void abort() { close_transport(); }

  // carrier
  strand_type& strand() override { return strand_; }
  const options& opts() const override { return opts_; }
  void trace(std::string_view line) const override {
    if (opts_.trace) opts_.trace(line);
  }
  void resume(std::int32_t) override { wake_writer(); }
  void consume(std::int32_t, std::size_t n) override;
  void reset(std::int32_t, std::uint32_t code) override;
  void wake_writer() override;
  void forget_stream(std::int32_t) override;
  int http_version() const override { return 1; }

 private:
  boost::asio::awaitable<void> run(net::parsed_url url, websocket_request request);
  struct read_handler;
  void start_websocket_io(std::vector<std::uint8_t> leftover);
  void read_more();
  void on_read(boost::system::error_code ec, std::size_t n);
  void on_readable(boost::system::error_code ec);
  void finish_reading();
  void write_more();
  void write_now();  // write_more() from inside the read handler
  void on_written(boost::system::error_code ec, bool ends);
  void end_writing();
  boost::asio::awaitable<void> serve(std::vector<std::uint8_t> pending);
  boost::asio::awaitable<bool> write_all(const std::string& bytes);
  void hand_over(std::shared_ptr<websocket_impl> ws, std::function<void(websocket)> handler);
  void finish_open(boost::system::error_code ec, std::shared_ptr<websocket_impl> ws);
  void arm_deadline(duration limit);
  void close_transport();

  strand_type strand_;
  options opts_;
  net::dial_result dialed_;
  net::tcp_socket* connecting_socket_ = nullptr;
  std::shared_ptr<websocket_impl> ws_;
  connection::open_handler open_handler_;
  net::timer deadline_;
  static constexpr std::size_t io_buffer_size = 64 * 1024;
  std::unique_ptr<std::uint8_t[]> read_buffer_;  // TLS only (plain TCP: one per thread)
  std::uint8_t* read_data_ = nullptr;            // where the read being taken in is
  ws::byte_buffer write_batch_;                  // what is being written
  std::size_t unacknowledged_ = 0;               // bytes read but not yet consumed by the app
  bool reading_ = false;
  bool read_paused_ = false;  // the app lags a window behind: consume() reads on
  bool writing_ = false;
  bool write_posted_ = false;
  // Inside the read handler: wake_writer() posts nothing, the handler writes once the bytes
  // read and the deliveries they made are through (what HTTP/2 connections do).
  bool writes_after_read_ = false;
  bool writer_done_ = false;
  bool timed_out_ = false;
  bool closed_ = false;
  // Server role.
  std::shared_ptr<server_context> server_;
  bool shutting_down_ = false;
  bool counted_ = false;  // ws_ is in server_->open_websockets
};

}  // namespace h2ws::detail
