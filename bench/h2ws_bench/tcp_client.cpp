// The floor's client: plain Asio, length-prefixed messages on one TCP connection per channel.
// Written to be cheap rather than general: small messages are coalesced into one write, large
// payloads go out as their own buffers without a copy, and reads land in one reused buffer.
#include "client.hpp"
#include "tcp_wire.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

namespace h2ws::bench {
namespace {

using boost::system::error_code;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t read_buffer_size = 64 * 1024;  // as the h2ws connection's read buffer
constexpr std::size_t copy_limit = 16 * 1024;        // smaller payloads are coalesced
constexpr std::size_t max_batch_messages = 1024;
constexpr std::size_t max_batch_bytes = 4 * 1024 * 1024;

// Shared with pending write completions, which may run after the channel is gone.
struct tcp_state : std::enable_shared_from_this<tcp_state> {
  explicit tcp_state(tcp::socket s) : socket(std::move(s)) {}

  tcp::socket socket;
  error_code error;

  // Sending: queued messages, and the batch being written.
  std::deque<std::string> queued;
  std::vector<std::string> writing;
  std::vector<std::uint8_t> coalesced;
  std::vector<asio::const_buffer> buffers;
  bool write_active = false;

  // Receiving. Left uninitialised: only the bytes a read touches count in the RSS figures.
  std::unique_ptr<std::uint8_t[]> rbuf{new std::uint8_t[read_buffer_size]};
  std::size_t rbegin = 0;
  std::size_t rend = 0;

  void start_write() {
    write_active = true;
    writing.clear();
    coalesced.clear();
    buffers.clear();
    std::size_t bytes = 0;
    std::size_t copied = 0;
    while (!queued.empty() && writing.size() < max_batch_messages && bytes < max_batch_bytes) {
      auto& next = queued.front();
      bytes += tcp_wire::header_size + next.size();
      copied += tcp_wire::header_size + (next.size() <= copy_limit ? next.size() : 0);
      writing.push_back(std::move(next));
      queued.pop_front();
    }
    // Headers and small payloads are copied into one buffer; a large payload is cut in as a
    // buffer of its own (writing[] no longer grows, so its data pointers are stable).
    coalesced.reserve(copied);
    std::size_t flushed = 0;
    for (const auto& m : writing) {
      std::uint8_t header[tcp_wire::header_size];
      tcp_wire::write_header(header, static_cast<std::uint32_t>(m.size()));
      coalesced.insert(coalesced.end(), header, header + tcp_wire::header_size);
      if (m.size() <= copy_limit) {
        coalesced.insert(coalesced.end(), m.begin(), m.end());
        continue;
      }
      buffers.emplace_back(coalesced.data() + flushed, coalesced.size() - flushed);
      buffers.emplace_back(m.data(), m.size());
      flushed = coalesced.size();
    }
    if (coalesced.size() > flushed)
      buffers.emplace_back(coalesced.data() + flushed, coalesced.size() - flushed);
    asio::async_write(socket, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        if (!self->error) self->error = ec;
        self->write_active = false;
        return;
      }
      if (!self->queued.empty())
        self->start_write();
      else
        self->write_active = false;
    });
  }
};

class tcp_channel final : public channel {
 public:
  explicit tcp_channel(tcp::socket socket) : s_(std::make_shared<tcp_state>(std::move(socket))) {}
  ~tcp_channel() override {
    error_code ignored;
    s_->socket.close(ignored);
  }

  void send(std::string payload) override {
    if (s_->error) return;
    s_->queued.push_back(std::move(payload));
    if (!s_->write_active) s_->start_write();
  }

  asio::awaitable<std::string> receive() override {
    auto& s = *s_;
    auto keep = s_;  // the state outlives this coroutine's suspension points
    while (s.rend - s.rbegin < tcp_wire::header_size) co_await fill();
    const std::uint32_t length = tcp_wire::read_header(s.rbuf.get() + s.rbegin);
    s.rbegin += tcp_wire::header_size;
    if (length > tcp_wire::max_message_size)
      throw boost::system::system_error(asio::error::message_size, "tcp receive");
    std::string out;
    out.resize(length);
    const std::size_t have = std::min<std::size_t>(length, s.rend - s.rbegin);
    std::memcpy(out.data(), s.rbuf.get() + s.rbegin, have);
    s.rbegin += have;
    if (have < length) {
      // The rest of a large message goes straight into its own string.
      auto [ec, n] = co_await asio::async_read(
          s.socket, asio::buffer(out.data() + have, length - have), tuple_awaitable);
      if (ec) throw boost::system::system_error(ec, "tcp receive");
    }
    if (s.error) throw boost::system::system_error(s.error, "tcp send");
    co_return out;
  }

  asio::awaitable<void> close() override {
    error_code ignored;
    s_->socket.shutdown(tcp::socket::shutdown_both, ignored);
    s_->socket.close(ignored);
    co_return;
  }

 private:
  asio::awaitable<void> fill() {
    auto& s = *s_;
    if (s.rbegin == s.rend) {
      s.rbegin = s.rend = 0;
    } else if (read_buffer_size - s.rend < 4096) {  // too little room left: compact
      std::memmove(s.rbuf.get(), s.rbuf.get() + s.rbegin, s.rend - s.rbegin);
      s.rend -= s.rbegin;
      s.rbegin = 0;
    }
    auto [ec, n] = co_await s.socket.async_read_some(
        asio::buffer(s.rbuf.get() + s.rend, read_buffer_size - s.rend), tuple_awaitable);
    if (ec) throw boost::system::system_error(ec, "tcp receive");
    s.rend += n;
  }

  std::shared_ptr<tcp_state> s_;
};

asio::awaitable<std::unique_ptr<channel>> connect_tcp(std::uint16_t port) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  auto [ec] = co_await socket.async_connect(endpoint, tuple_awaitable);
  if (ec) throw boost::system::system_error(ec, "tcp connect to 127.0.0.1:" + std::to_string(port));
  socket.set_option(tcp::no_delay(true));  // as h2ws's transport does
  co_return std::make_unique<tcp_channel>(std::move(socket));
}

class tcp_group final : public channel_group {
 public:
  explicit tcp_group(std::uint16_t port) : port_(port) {}
  asio::awaitable<std::unique_ptr<channel>> open_channel() override {
    co_return co_await connect_tcp(port_);
  }

 private:
  std::uint16_t port_;
};

class tcp_factory final : public client_factory {
 public:
  explicit tcp_factory(std::uint16_t port) : port_(port) {}
  transport_kind kind() const override { return transport_kind::tcp; }
  asio::awaitable<std::unique_ptr<channel>> open_connection() override {
    co_return co_await connect_tcp(port_);
  }
  asio::awaitable<std::unique_ptr<channel_group>> open_group() override {
    co_return std::make_unique<tcp_group>(port_);
  }

 private:
  std::uint16_t port_;
};

}  // namespace

std::unique_ptr<client_factory> make_tcp_factory(asio::any_io_executor, std::uint16_t port) {
  return std::make_unique<tcp_factory>(port);
}

}  // namespace h2ws::bench
