// One byte stream under an HTTP/2 connection: TCP now, TLS behind the same interface.
#pragma once

#include <cstddef>
#include <span>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace h2ws::net {

class transport {
 public:
  virtual ~transport() = default;
  /// Reads some bytes; ec set on failure or EOF.
  virtual boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                        boost::system::error_code& ec) = 0;
  /// Writes every byte of `buffer`.
  virtual boost::asio::awaitable<void> write(boost::asio::const_buffer buffer,
                                             boost::system::error_code& ec) = 0;
  /// Closes at once; pending reads and writes complete with an error.
  virtual void close() = 0;
};

/// A plain TCP transport with TCP_NODELAY (frames are coalesced by the write loop).
class tcp_transport final : public transport {
 public:
  explicit tcp_transport(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                boost::system::error_code& ec) override;
  boost::asio::awaitable<void> write(boost::asio::const_buffer buffer,
                                     boost::system::error_code& ec) override;
  void close() override;

 private:
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace h2ws::net
