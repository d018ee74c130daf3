// Attacks on the HTTP/2 server, made as an attacker would, with raw bytes on a socket,
// while an ordinary client echoes beside them. Each must get its answer and leave the
// server's memory and its other clients alone.
#include "test_support.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t data_frame = 0, headers_frame = 1, rst_stream_frame = 3, settings_frame = 4,
                       goaway_frame = 7, window_update_frame = 8, continuation_frame = 9;
constexpr std::uint8_t end_headers = 0x4;

void append(bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

void frame(bytes& out, std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
           const bytes& payload) {
  const auto n = payload.size();
  out.insert(out.end(),
             {static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
              static_cast<std::uint8_t>(n), type, flags, static_cast<std::uint8_t>(stream >> 24),
              static_cast<std::uint8_t>(stream >> 16), static_cast<std::uint8_t>(stream >> 8),
              static_cast<std::uint8_t>(stream)});
  out.insert(out.end(), payload.begin(), payload.end());
}

// An HPACK integer with an N-bit prefix (RFC 7541 5.1); `first` holds the pattern bits.
void hpack_int(bytes& out, std::uint8_t first, int prefix_bits, std::size_t value) {
  const std::size_t max = (1u << prefix_bits) - 1;
  if (value < max) {
    out.push_back(static_cast<std::uint8_t>(first | value));
    return;
  }
  out.push_back(static_cast<std::uint8_t>(first | max));
  value -= max;
  while (value >= 128) {
    out.push_back(static_cast<std::uint8_t>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

void hpack_string(bytes& out, std::string_view s) {
  hpack_int(out, 0x00, 7, s.size());
  append(out, s);
}

// A literal field without indexing: a static-table name (index) or a new name (0).
void hpack_literal(bytes& out, std::size_t name_index, std::string_view name,
                   std::string_view value) {
  hpack_int(out, 0x00, 4, name_index);
  if (name_index == 0) hpack_string(out, name);
  hpack_string(out, value);
}

// The extended CONNECT of RFC 8441 for /echo.
bytes connect_block() {
  bytes b;
  hpack_literal(b, 2, "", "CONNECT");  // :method
  b.push_back(0x86);                   // :scheme http (static index 6)
  hpack_literal(b, 4, "", "/echo");    // :path
  hpack_literal(b, 1, "", "localhost");
  hpack_literal(b, 0, ":protocol", "websocket");
  hpack_literal(b, 0, "sec-websocket-version", "13");
  return b;
}

bytes preface_and_settings(const std::vector<std::pair<std::uint16_t, std::uint32_t>>& settings) {
  bytes out;
  append(out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  bytes payload;
  for (auto [id, value] : settings)
    payload.insert(payload.end(),
                   {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
                    static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                    static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)});
  frame(out, settings_frame, 0, 0, payload);
  return out;
}

// Resident memory of this process (client and server both live here), in bytes.
std::size_t resident_bytes() {
  std::size_t pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%zu %zu", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

struct frame_seen {
  std::uint8_t type;
  std::uint32_t stream;
};

// Reads frames (after the server's preface) until `stop` says so or `limit` passes.
template <class Stop>
asio::awaitable<std::vector<frame_seen>> read_frames(asio::ip::tcp::socket& socket,
                                                     std::chrono::milliseconds limit, Stop stop) {
  std::vector<frame_seen> seen;
  asio::steady_timer timer(socket.get_executor(), limit);
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) socket.cancel();
  });
  for (;;) {
    std::array<std::uint8_t, 9> head{};
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(head), tuple_awaitable);
    if (ec) break;
    const std::size_t length = (head[0] << 16) | (head[1] << 8) | head[2];
    const std::uint32_t stream =
        ((head[5] & 0x7f) << 24) | (head[6] << 16) | (head[7] << 8) | head[8];
    std::vector<std::uint8_t> payload(length);
    auto [ec2, n2] = co_await asio::async_read(socket, asio::buffer(payload), tuple_awaitable);
    if (ec2) break;
    seen.push_back({head[3], stream});
    if (stop(seen.back())) break;
  }
  timer.cancel();
  co_return seen;
}

asio::awaitable<void> expect_echo_works(server_fixture& f) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
  auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
  for (int i = 0; i < 10; ++i) {
    co_await ws.send(message::text("still served"), asio::use_awaitable);
    auto back = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(back.text(), "still served");
  }
}

// Verifies that an HPACK bomb (one 4 KB field put in the dynamic table, then referenced
// 13,000 times: 17 KiB on the wire, 52 MB decoded) gets RST_STREAM before anything is
// buffered, that five of them leave the server's memory alone, and that another client
// keeps its echoes.
TEST(Attacks, HpackBombIsResetBeforeItIsBuffered) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    co_await expect_echo_works(f);  // warm: one-time allocations out of the way
    const auto before = resident_bytes();
    for (int attack = 0; attack < 5; ++attack) {
      asio::ip::tcp::socket socket(ex);
      co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), f.srv().port()},
                                    asio::use_awaitable);
      auto block = connect_block();
      // Literal with incremental indexing, new name: it becomes dynamic entry 62.
      hpack_int(block, 0x40, 6, 0);
      hpack_string(block, "x-bomb");
      hpack_string(block, std::string(4000, 'a'));
      block.insert(block.end(), 13000, 0xbe);  // indexed field 62, 13,000 times
      auto out = preface_and_settings({});
      const std::size_t first = 16384;  // the default SETTINGS_MAX_FRAME_SIZE
      frame(out, headers_frame, 0, 1, bytes(block.begin(), block.begin() + first));
      frame(out, continuation_frame, end_headers, 1, bytes(block.begin() + first, block.end()));
      co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
      auto seen = co_await read_frames(socket, std::chrono::seconds(3), [](const frame_seen& s) {
        return (s.type == rst_stream_frame && s.stream == 1) || s.type == goaway_frame;
      });
      bool refused = false, answered = false;
      for (const auto& s : seen) {
        if ((s.type == rst_stream_frame && s.stream == 1) || s.type == goaway_frame) refused = true;
        if (s.type == headers_frame && s.stream == 1) answered = true;
      }
      EXPECT_TRUE(refused) << "attack " << attack << ": no RST_STREAM or GOAWAY";
      EXPECT_FALSE(answered) << "attack " << attack << ": the bomb was answered";
    }
    const auto growth = resident_bytes() - std::min(resident_bytes(), before);
    EXPECT_LT(growth, 16u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
    co_await expect_echo_works(f);
  });
}

// Verifies that a client that sends within its windows but never reads its socket
// (CVE-2019-9517) cannot make the server hold more than a bounded amount: the server
// stops reading from it once its writes back up. 16 websockets carry up to 62 MiB of
// echo requests; the server must not take them all in. Another client keeps its echoes.
// (H2WS_TEST_TRACE=1 prints the server's trace; H2WS_TEST_NO_WRITE_LIMIT=1 turns the
// defence off, to see the test fail: about 60 MiB held.)
TEST(Attacks, SlowReaderCannotMakeTheServerHoldItsWindows) {
  server_options sopts;
  if (std::getenv("H2WS_TEST_TRACE"))
    sopts.limits.trace = [](std::string_view l) {
      std::fprintf(stderr, "%.*s\n", (int)l.size(), l.data());
    };
  if (std::getenv("H2WS_TEST_NO_WRITE_LIMIT")) sopts.limits.max_write_buffer = 0;
  server_fixture f(sopts);
  f.run(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        co_await expect_echo_works(f);
        const auto before = resident_bytes();
        asio::ip::tcp::socket socket(ex);
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), f.srv().port()},
                                      asio::use_awaitable);
        // A tiny receive buffer: the attacker's kernel holds little of what the server sends.
        socket.set_option(asio::socket_base::receive_buffer_size(4096));
        // Our windows wide open (the server may send everything), then the server's
        // SETTINGS read and acknowledged, so its 4 MiB stream windows apply.
        auto out = preface_and_settings({{0x4, 0x7fffffff}});  // INITIAL_WINDOW_SIZE
        frame(out, window_update_frame, 0, 0, {0x7f, 0xff, 0x00, 0x00});
        co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
        (void)co_await read_frames(socket, std::chrono::milliseconds(300),
                                   [](const frame_seen& s) { return s.type == settings_frame; });
        out.clear();
        frame(out, settings_frame, 0x1, 0, {});  // ACK
        constexpr int streams = 16;
        for (int i = 0; i < streams; ++i)
          frame(out, headers_frame, end_headers, 1 + 2 * i, connect_block());
        co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);

        // Masked binary websocket frames of 16,000 bytes (key 0: the payload goes as it
        // is), one per DATA frame (within the default 16 KiB frame size).
        bytes ws_frame = {0x82, 0xfe, 0x3e, 0x80, 0, 0, 0, 0};
        ws_frame.resize(ws_frame.size() + 16000, 'x');
        bytes data;
        frame(data, data_frame, 0, 0, ws_frame);
        std::size_t sent = 0;
        bool stalled = false;
        asio::steady_timer budget(ex, std::chrono::seconds(3));
        budget.async_wait([&](boost::system::error_code ec) {
          if (!ec) {
            stalled = true;
            socket.cancel();  // the server stopped reading: our writes cannot finish
          }
        });
        const std::size_t per_stream = 4 * 1024 * 1024 - 65536;  // within the stream window
        for (std::size_t offset = 0; offset < per_stream && !stalled; offset += ws_frame.size()) {
          for (int i = 0; i < streams && !stalled; ++i) {
            const std::uint32_t id = 1 + 2 * i;
            data[5] = static_cast<std::uint8_t>(id >> 24);
            data[6] = static_cast<std::uint8_t>(id >> 16);
            data[7] = static_cast<std::uint8_t>(id >> 8);
            data[8] = static_cast<std::uint8_t>(id);
            auto [ec, n] = co_await asio::async_write(socket, asio::buffer(data), tuple_awaitable);
            if (ec) break;
            sent += ws_frame.size();
          }
        }
        budget.cancel();
        const auto growth = resident_bytes() - std::min(resident_bytes(), before);
        std::printf("attacker wrote %zu MiB before stalling; resident memory grew %zu MiB\n",
                    sent >> 20, growth >> 20);
        // The attack got going (the server read a good part before it stopped reading)...
        EXPECT_GT(sent, 8u << 20);
        // ...and could not push everything in.
        EXPECT_TRUE(stalled) << "the server took all " << (sent >> 20) << " MiB in";
        EXPECT_LT(growth, 40u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
        co_await expect_echo_works(f);
      },
      std::chrono::seconds(30));
}

}  // namespace
}  // namespace h2ws::test
