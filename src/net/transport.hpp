// The byte stream under a connection: a TCP socket, or TLS over one. Not virtual: the
// read and write of the hot path take the caller's handler as it is (no type erasure,
// no coroutine frame per read), and both branches instantiate with that same handler.
#pragma once

#include "net/executor.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/append.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::net {

using tls_stream = boost::asio::ssl::stream<tcp_socket>;

class transport {
 public:
  /// Plain TCP, with TCP_NODELAY (the writer coalesces frames itself).
  explicit transport(tcp_socket socket);
  /// TLS, handshake done; `already_read`: bytes read from it before (the first reads
  /// return them).
  explicit transport(std::unique_ptr<tls_stream> tls, std::vector<std::uint8_t> already_read = {});
  ~transport();
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  /// Reads some bytes; `handler(error_code, std::size_t)` runs on the socket's strand.
  template <class Handler>
  void async_read_some(boost::asio::mutable_buffer buffer, Handler&& handler) {
    if (!already_read_.empty()) {
      const auto n = take_already_read(buffer);
      auto ex = tls_ ? tls_->get_executor() : socket_->get_executor();
      boost::asio::post(
          ex, boost::asio::append(std::forward<Handler>(handler), boost::system::error_code{}, n));
      return;
    }
    if (tls_) return tls_->async_read_some(buffer, std::forward<Handler>(handler));
    socket_->async_read_some(buffer, std::forward<Handler>(handler));
  }
  /// Plain TCP, no bytes from before waiting: a read can be waited for (async_wait_readable())
  /// and then taken at once (read_now()), into a buffer shared by the thread's connections
  /// instead of one each.
  bool reads_on_readiness() const { return socket_ && already_read_.empty(); }
  /// Plain TCP: `handler(error_code)` runs once the socket has bytes (or EOF, or an error).
  template <class Handler>
  void async_wait_readable(Handler&& handler) {
    socket_->async_wait(boost::asio::socket_base::wait_read, std::forward<Handler>(handler));
  }
  /// Plain TCP: the bytes there now, without blocking; error::would_block when none.
  std::size_t read_now(boost::asio::mutable_buffer buffer, boost::system::error_code& ec) {
    return socket_->read_some(buffer, ec);
  }

  /// Plain TCP: bytes can be written at once (write_now()) instead of by an operation
  /// that completes a scheduler turn later.
  bool writes_now() const { return socket_ != nullptr; }
  /// Plain TCP: writes what the socket takes now, without blocking (error::would_block
  /// when it takes nothing); returns how many bytes went.
  std::size_t write_now(boost::asio::const_buffer buffer, boost::system::error_code& ec) {
    return socket_->write_some(buffer, ec);
  }
  /// Writes every byte of `buffer`; `handler(error_code, std::size_t)` as above.
  template <class Handler>
  void async_write(boost::asio::const_buffer buffer, Handler&& handler) {
    if (tls_) return boost::asio::async_write(*tls_, buffer, std::forward<Handler>(handler));
    boost::asio::async_write(*socket_, buffer, std::forward<Handler>(handler));
  }

  /// The same as coroutines, for handshakes (not the per-message path).
  boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                boost::system::error_code& ec);
  boost::asio::awaitable<void> write(boost::asio::const_buffer buffer,
                                     boost::system::error_code& ec);

  /// Ends our sending side (TCP FIN; with TLS too, without close_notify): the peer reads
  /// EOF, and we can still read what it sends.
  void shutdown_send();
  /// Closes at once; pending reads and writes complete with an error.
  void close();
  bool is_tls() const { return tls_ != nullptr; }
  /// The peer's address, "ip:port"; empty when the socket has none (closed).
  std::string peer() const;

 private:
  std::size_t take_already_read(boost::asio::mutable_buffer buffer) {
    const auto n = std::min(buffer.size(), already_read_.size());
    std::memcpy(buffer.data(), already_read_.data(), n);
    already_read_.erase(already_read_.begin(), already_read_.begin() + static_cast<long>(n));
    return n;
  }

  std::unique_ptr<tcp_socket> socket_;  // plain TCP
  std::unique_ptr<tls_stream> tls_;     // or TLS
  std::vector<std::uint8_t> already_read_;
};

}  // namespace h2ws::net
