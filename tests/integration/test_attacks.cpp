// Attacks on the HTTP/2 server, made as an attacker would, with raw bytes on a socket,
// while an ordinary client echoes beside them. Each must get its answer and leave the
// server's memory and its other clients alone.
#include "test_support.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

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

// HTTP/2 error codes (RFC 9113 7).
constexpr std::uint32_t no_error = 0x0, protocol_error = 0x1, internal_error = 0x2,
                        flow_control_error = 0x3, cancel = 0x8, enhance_your_calm = 0xb;

struct frame_seen {
  std::uint8_t type;
  std::uint32_t stream;
  std::uint8_t flags = 0;
  std::uint32_t error_code = 0;  // of RST_STREAM and GOAWAY
  int status = 0;                // :status of a HEADERS frame, when a decoder was given
};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

// The :status of one (whole) response header block; -1 if it does not decode. The
// inflater is the connection's: its dynamic table lives across blocks.
int decode_status(nghttp2_hd_inflater* inflater, const std::uint8_t* in, std::size_t length) {
  int status = 0;
  for (;;) {
    nghttp2_nv nv{};
    int flags = 0;
    const auto n = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, length, 1);
    if (n < 0) return -1;
    in += n;
    length -= static_cast<std::size_t>(n);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) &&
        std::string_view(reinterpret_cast<const char*>(nv.name), nv.namelen) == ":status")
      status = std::atoi(std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen).c_str());
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater);
      return status;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && length == 0) return status;
  }
}

// Decodes the server's response headers on one connection.
struct hpack_decoder {
  nghttp2_hd_inflater* inflater = nullptr;
  hpack_decoder() { nghttp2_hd_inflate_new(&inflater); }
  ~hpack_decoder() { nghttp2_hd_inflate_del(inflater); }
  hpack_decoder(const hpack_decoder&) = delete;
  hpack_decoder& operator=(const hpack_decoder&) = delete;
};

struct frames_read {
  std::vector<frame_seen> frames;
  bool closed = false;  // the server closed (or reset) the connection: not our time limit

  bool has(std::uint8_t type, std::uint32_t stream) const {
    for (const auto& s : frames)
      if (s.type == type && s.stream == stream) return true;
    return false;
  }
  const frame_seen* find(std::uint8_t type, std::uint32_t stream) const {
    for (const auto& s : frames)
      if (s.type == type && s.stream == stream) return &s;
    return nullptr;
  }
  std::size_t count(std::uint8_t type) const {
    std::size_t n = 0;
    for (const auto& s : frames) n += s.type == type;
    return n;
  }
};

// Reads frames (after the server's preface) until `stop` says so, the connection ends, or
// `limit` passes. With a decoder, the :status of HEADERS frames is decoded.
template <class Stop>
asio::awaitable<frames_read> read_frames(asio::ip::tcp::socket& socket,
                                         std::chrono::milliseconds limit, Stop stop,
                                         hpack_decoder* decoder = nullptr) {
  frames_read out;
  // Shared with the timer's handler, which may run after this frame is gone.
  auto timed_out = std::make_shared<int>(0);  // 0 running, 1 timed out, 2 finished
  asio::steady_timer timer(socket.get_executor(), limit);
  timer.async_wait([timed_out, &socket](boost::system::error_code ec) {
    if (!ec && *timed_out == 0) {
      *timed_out = 1;
      socket.cancel();
    }
  });
  for (;;) {
    std::array<std::uint8_t, 9> head{};
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(head), tuple_awaitable);
    if (ec) {
      out.closed = *timed_out != 1;
      break;
    }
    const std::size_t length = (head[0] << 16) | (head[1] << 8) | head[2];
    const std::uint32_t stream =
        ((head[5] & 0x7f) << 24) | (head[6] << 16) | (head[7] << 8) | head[8];
    std::vector<std::uint8_t> payload(length);
    auto [ec2, n2] = co_await asio::async_read(socket, asio::buffer(payload), tuple_awaitable);
    if (ec2) {
      out.closed = *timed_out != 1;
      break;
    }
    frame_seen seen{head[3], stream, head[4]};
    if (seen.type == rst_stream_frame && length >= 4) seen.error_code = be32(payload.data());
    if (seen.type == goaway_frame && length >= 8) seen.error_code = be32(payload.data() + 4);
    if (seen.type == headers_frame && decoder) {
      std::size_t begin = 0, end = length;
      if ((seen.flags & 0x8) && length > 0) {  // PADDED
        end -= std::min<std::size_t>(payload[0], length - 1);
        begin = 1;
      }
      if (seen.flags & 0x20) begin += 5;  // PRIORITY
      if (begin <= end)
        seen.status = decode_status(decoder->inflater, payload.data() + begin, end - begin);
    }
    out.frames.push_back(seen);
    if (stop(out.frames.back())) break;
  }
  if (*timed_out == 0) *timed_out = 2;
  timer.cancel();
  co_return out;
}

struct flood_result {
  std::size_t sent = 0;
  bool stalled = false;  // the time limit passed with a write stuck: the server stopped reading
  boost::system::error_code ec;  // the server closed the connection
};

// Writes `chunk` again and again, never reading, until `max_bytes` went out, a write fails
// (the server closed), or `limit` passes.
asio::awaitable<flood_result> flood(asio::ip::tcp::socket& socket, const bytes& chunk,
                                    std::size_t max_bytes, std::chrono::milliseconds limit) {
  flood_result r;
  auto state = std::make_shared<int>(0);  // 0 running, 1 timed out, 2 finished
  asio::steady_timer timer(socket.get_executor(), limit);
  timer.async_wait([state, &socket](boost::system::error_code ec) {
    if (!ec && *state == 0) {
      *state = 1;
      socket.cancel();
    }
  });
  while (r.sent < max_bytes && *state == 0) {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(chunk), tuple_awaitable);
    r.sent += n;
    if (ec) {
      if (*state != 1) r.ec = ec;
      break;
    }
  }
  r.stalled = *state == 1;
  if (*state == 0) *state = 2;
  timer.cancel();
  co_return r;
}

asio::awaitable<void> connect_raw(asio::ip::tcp::socket& socket, server_fixture& f) {
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), f.srv().port()},
                                asio::use_awaitable);
}

// A header block of literal fields, each with its name spelled out (no table involved).
bytes request_block(const std::vector<std::pair<std::string, std::string>>& fields) {
  bytes b;
  for (const auto& [name, value] : fields) hpack_literal(b, 0, name, value);
  return b;
}

bytes rst_stream(std::uint32_t stream, std::uint32_t code) {
  bytes out;
  frame(out, rst_stream_frame, 0, stream,
        {static_cast<std::uint8_t>(code >> 24), static_cast<std::uint8_t>(code >> 16),
         static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)});
  return out;
}

bytes window_update(std::uint32_t stream, std::uint32_t increment) {
  bytes out;
  frame(out, window_update_frame, 0, stream,
        {static_cast<std::uint8_t>(increment >> 24), static_cast<std::uint8_t>(increment >> 16),
         static_cast<std::uint8_t>(increment >> 8), static_cast<std::uint8_t>(increment)});
  return out;
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

// An ordinary client echoing on its own connection while an attack runs, one round trip
// every few milliseconds; finish() checks that none of them failed or took long.
class echo_beside {
 public:
  // Loose enough for a loaded 2-core CI machine and the sanitizer build.
  static constexpr auto budget = std::chrono::seconds(2);

  explicit echo_beside(server_fixture& f) : f_(f), state_(std::make_shared<state>()) {}

  // Connects, and returns once the first echo came back.
  asio::awaitable<void> start() {
    state* st = state_.get();
    // The executor first, on its own: GCC 12 destroys the temporaries of a full-expression
    // that holds a co_await wrongly (here the shared_ptr argument: a use after free).
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(ex, loop(f_.url(), state_), [st = state_](std::exception_ptr e) {
      if (e) try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          st->failure = x.what();
        }
      st->finished = true;
    });
    for (int i = 0; i < 500 && st->round_trips == 0 && !st->finished; ++i)
      co_await sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(st->round_trips, 0) << "the echo client did not start: " << st->failure;
  }

  // Stops the loop, checks it, and checks that a new client is served too.
  asio::awaitable<void> finish() {
    state* st = state_.get();
    st->stop = true;
    for (int i = 0; i < 500 && !st->finished; ++i)
      co_await sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(st->finished) << "the echo client hangs";
    EXPECT_EQ(st->failure, "") << "the echo client failed";
    EXPECT_LT(st->worst, budget)
        << "an echo took "
        << std::chrono::duration_cast<std::chrono::milliseconds>(st->worst).count() << " ms";
    std::printf("echo beside the attack: %d round trips, the slowest %lld ms\n", st->round_trips,
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(st->worst).count()));
    co_await expect_echo_works(f_);
  }

 private:
  struct state {
    bool stop = false, finished = false;
    int round_trips = 0;
    std::chrono::steady_clock::duration worst{};
    std::string failure;
  };

  static asio::awaitable<void> loop(std::string url, std::shared_ptr<state> st) {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, url, test_options(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    while (!st->stop) {
      const auto t0 = std::chrono::steady_clock::now();
      co_await ws.send(message::text("still served"), asio::use_awaitable);
      auto back = co_await ws.receive(asio::use_awaitable);
      st->worst = std::max(st->worst, std::chrono::steady_clock::now() - t0);
      if (back.text() != "still served") {
        st->failure = "wrong echo";
        break;
      }
      ++st->round_trips;
      co_await sleep_for(std::chrono::milliseconds(5));
    }
    co_await ws.close(close_code::normal, "done", asio::use_awaitable);
  }

  server_fixture& f_;
  std::shared_ptr<state> state_;
};

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
      for (const auto& s : seen.frames) {
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

using namespace asio::experimental::awaitable_operators;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::uint8_t end_stream = 0x1, ping_frame = 6;

bool never(const frame_seen&) { return false; }

// Connects, sends the preface and SETTINGS and the extended CONNECT on stream 1, and
// reads up to the 200.
asio::awaitable<void> open_raw_websocket(asio::ip::tcp::socket& socket, server_fixture& f,
                                         hpack_decoder& decoder) {
  co_await connect_raw(socket, f);
  auto out = preface_and_settings({});
  frame(out, settings_frame, 0x1, 0, {});  // ACK of the server's (it is on its way)
  frame(out, headers_frame, end_headers, 1, connect_block());
  co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
  auto seen = co_await read_frames(
      socket, seconds(3), [](const frame_seen& s) { return s.type == headers_frame; }, &decoder);
  const auto* answer = seen.find(headers_frame, 1);
  EXPECT_TRUE(answer && answer->status == 200) << "the websocket did not open";
}

// A masked text websocket frame (key 0) in a DATA frame on `stream`.
bytes websocket_text(std::uint32_t stream, std::string_view text) {
  bytes ws = {0x81, static_cast<std::uint8_t>(0x80 | text.size()), 0, 0, 0, 0};
  append(ws, text);
  bytes out;
  frame(out, data_frame, 0, stream, ws);
  return out;
}

// Sends one websocket message on `stream` and checks that its echo comes back.
asio::awaitable<void> expect_raw_echo(asio::ip::tcp::socket& socket, std::uint32_t stream) {
  const auto out = websocket_text(stream, "hi");
  co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
  auto seen = co_await read_frames(socket, seconds(3), [stream](const frame_seen& s) {
    return (s.type == data_frame && s.stream == stream) || s.type == goaway_frame ||
           s.type == rst_stream_frame;
  });
  EXPECT_TRUE(seen.has(data_frame, stream)) << "no echo on stream " << stream;
}

std::size_t growth_since(std::size_t before) {
  const auto now = resident_bytes();
  return now > before ? now - before : 0;
}

// Verifies that Rapid Reset (CVE-2023-44487: a request opened and reset at once, thousands of
// times on one connection, so that MAX_CONCURRENT_STREAMS never holds it back) gets a GOAWAY
// long before the server worked through all of them, leaves no websocket behind, and does
// not disturb another client's echoes.
TEST(Attacks, RapidResetGetsGoaway) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    const auto before = resident_bytes();
    {
      // Below the limit (500 resets, then a websocket): served, no GOAWAY. This is what
      // tells the GOAWAY below from a server that drops any connection that resets.
      asio::ip::tcp::socket socket(ex);
      co_await connect_raw(socket, f);
      auto out = preface_and_settings({});
      for (std::uint32_t id = 1; id < 1000; id += 2) {
        frame(out, headers_frame, end_headers, id, connect_block());
        const auto reset = rst_stream(id, cancel);
        out.insert(out.end(), reset.begin(), reset.end());
      }
      frame(out, headers_frame, end_headers, 1001, connect_block());
      co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
      hpack_decoder decoder;
      auto seen = co_await read_frames(
          socket, seconds(3),
          [](const frame_seen& s) { return s.type == headers_frame || s.type == goaway_frame; },
          &decoder);
      const auto* answer = seen.find(headers_frame, 1001);
      EXPECT_TRUE(answer && answer->status == 200) << "500 resets: the next websocket not served";
      EXPECT_FALSE(seen.has(goaway_frame, 0)) << "500 resets: GOAWAY";
      co_await expect_raw_echo(socket, 1001);
    }
    co_await sleep_for(milliseconds(100));
    // (Not simply 1, the echo client's: a connection lost with a websocket open stays
    // counted, see AbruptlyLostConnectionUncountsItsWebsocket.)
    const auto websockets_before = f.srv().open_websockets();
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    constexpr std::uint32_t streams = 5000;
    const auto get = request_block(
        {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "localhost"}});
    const auto websocket = connect_block();
    auto out = preface_and_settings({});
    for (std::uint32_t i = 0; i < streams; ++i) {
      const std::uint32_t id = 1 + 2 * i;
      // Websocket handshakes and plain GETs, each reset as soon as it is sent.
      if (i % 2)
        frame(out, headers_frame, end_headers | end_stream, id, get);
      else
        frame(out, headers_frame, end_headers, id, websocket);
      const auto reset = rst_stream(id, cancel);
      out.insert(out.end(), reset.begin(), reset.end());
    }
    hpack_decoder decoder;
    const auto start = std::chrono::steady_clock::now();
    auto [sent, seen] = co_await (flood(socket, out, out.size(), seconds(5)) &&
                                  read_frames(socket, seconds(5), never, &decoder));
    const auto took = std::chrono::steady_clock::now() - start;
    const auto* goaway = seen.find(goaway_frame, 0);
    const auto answered = seen.count(headers_frame);
    std::printf("rapid reset: wrote %zu of %zu bytes, %zu answers, GOAWAY %s (code %u), %lld ms\n",
                sent.sent, out.size(), answered, goaway ? "yes" : "no",
                goaway ? goaway->error_code : 0u,
                static_cast<long long>(std::chrono::duration_cast<milliseconds>(took).count()));
    if (!goaway) {
      ADD_FAILURE() << "no GOAWAY after " << streams << " reset streams";
      co_return;
    }
    // nghttp2's reset-rate limit (a burst of 1,000) ends the connection.
    EXPECT_TRUE(goaway->error_code == enhance_your_calm || goaway->error_code == internal_error)
        << "GOAWAY code " << goaway->error_code;
    EXPECT_TRUE(seen.closed) << "the connection stayed open after the GOAWAY";
    EXPECT_LT(answered, std::size_t{1500}) << "the server answered most of the reset requests";
    EXPECT_FALSE(sent.stalled);
    // Nothing of the attacker's websockets is left (the echo client's is the one open).
    for (int i = 0; i < 100 && f.srv().open_websockets() > websockets_before; ++i)
      co_await sleep_for(milliseconds(10));
    EXPECT_LE(f.srv().open_websockets(), websockets_before);
    const auto growth = growth_since(before);
    EXPECT_LT(growth, 32u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
    co_await echo.finish();
  });
}

// Verifies that a header block that never ends (HEADERS without END_HEADERS, then endless
// CONTINUATION frames: CVE-2024-28182 in nghttp2, CVE-2024-27316 in Apache) is cut off with
// the connection, whether the CONTINUATION frames carry header fields or nothing at all, long
// before the attacker has written much, and that another client keeps its echoes.
TEST(Attacks, ContinuationFloodIsCutOff) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    const auto before = resident_bytes();
    for (const bool empty : {false, true}) {
      asio::ip::tcp::socket socket(ex);
      co_await connect_raw(socket, f);
      auto out = preface_and_settings({});
      frame(out, headers_frame, 0, 1, connect_block());  // no END_HEADERS
      co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
      bytes field;
      hpack_literal(field, 0, "x-c", std::string(16000, 'c'));
      bytes chunk;
      for (int i = 0; i < (empty ? 4096 : 16); ++i)
        frame(chunk, continuation_frame, 0, 1, empty ? bytes{} : field);
      hpack_decoder decoder;
      constexpr std::size_t cap = 64u << 20;
      auto [sent, seen] = co_await (flood(socket, chunk, cap, seconds(4)) &&
                                    read_frames(socket, seconds(4), never, &decoder));
      const auto* goaway = seen.find(goaway_frame, 0);
      std::printf("continuation flood (%s): wrote %zu KiB, %s, GOAWAY %s (code %u)\n",
                  empty ? "empty frames" : "16 KB fields", sent.sent >> 10,
                  sent.ec ? sent.ec.message().c_str() : (sent.stalled ? "stalled" : "all sent"),
                  goaway ? "yes" : "no", goaway ? goaway->error_code : 0u);
      EXPECT_TRUE(seen.closed) << "the server kept the connection";
      EXPECT_FALSE(sent.stalled);
      // Cut off early: what the attacker got written is what the kernels' buffers took.
      EXPECT_LT(sent.sent, 16u << 20) << "the server took " << (sent.sent >> 20) << " MiB";
      EXPECT_FALSE(seen.has(headers_frame, 1)) << "the endless header block was answered";
      if (goaway) {
        EXPECT_NE(goaway->error_code, no_error);
      }
    }
    const auto growth = growth_since(before);
    EXPECT_LT(growth, 32u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
    co_await echo.finish();
  });
}

// Sends `chunk` (frames the server must answer: SETTINGS or PING) again and again without
// ever reading, with a small receive buffer so the answers back up quickly; the server must
// either stop reading or drop the connection, never queue answers without bound.
asio::awaitable<void> answer_flood(server_fixture& f, const bytes& chunk, const char* what) {
  auto ex = co_await asio::this_coro::executor;
  echo_beside echo(f);
  co_await echo.start();
  const auto before = resident_bytes();
  asio::ip::tcp::socket socket(ex);
  socket.open(asio::ip::tcp::v4());
  socket.set_option(asio::socket_base::receive_buffer_size(4096));
  co_await connect_raw(socket, f);
  const auto out = preface_and_settings({});
  co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
  constexpr std::size_t cap = 256u << 20;
  const auto sent = co_await flood(socket, chunk, cap, seconds(4));
  const auto growth = growth_since(before);
  std::printf("%s flood: wrote %zu KiB, %s; resident memory grew %zu MiB\n", what, sent.sent >> 10,
              sent.ec ? sent.ec.message().c_str() : (sent.stalled ? "stalled" : "all sent"),
              growth >> 20);
  EXPECT_LT(sent.sent, 16u << 20) << "the server took " << (sent.sent >> 20) << " MiB";
  // nghttp2 counts the answers it could not send yet: past 1,000 the connection is dropped
  // (stopping to read from it would do too, but that is not what the server does).
  EXPECT_TRUE(sent.ec) << "the connection was not dropped";
  EXPECT_LT(growth, 32u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
  co_await echo.finish();
}

// Verifies that a SETTINGS flood whose ACKs are never read (CVE-2019-9515) is cut off.
TEST(Attacks, SettingsFloodIsCutOff) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    bytes chunk;
    for (int i = 0; i < 1024; ++i)
      frame(chunk, settings_frame, 0, 0,
            {0x00, 0x03, 0x00, 0x00, 0x00, 0x64});  // MAX_CONCURRENT_STREAMS 100
    co_await answer_flood(f, chunk, "SETTINGS");
  });
}

// Verifies that a PING flood whose ACKs are never read (CVE-2019-9512) is cut off.
TEST(Attacks, PingFloodIsCutOff) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    bytes chunk;
    for (int i = 0; i < 1024; ++i) frame(chunk, ping_frame, 0, 0, bytes(8, 0x42));
    co_await answer_flood(f, chunk, "PING");
  });
}

// Verifies that a flood of empty DATA frames on an open websocket (CVE-2019-9518) is taken
// in at the pace it comes, holds nothing, and leaves that websocket working.
TEST(Attacks, EmptyDataFloodIsAbsorbed) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    const auto before = resident_bytes();
    asio::ip::tcp::socket socket(ex);
    hpack_decoder decoder;
    co_await open_raw_websocket(socket, f, decoder);
    bytes chunk;
    for (int i = 0; i < 4096; ++i) frame(chunk, data_frame, 0, 1, {});
    constexpr std::size_t cap = 16u << 20;  // 1.9 million frames
    const auto start = std::chrono::steady_clock::now();
    const auto sent = co_await flood(socket, chunk, cap, seconds(6));
    const auto took =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    const auto growth = growth_since(before);
    std::printf("empty DATA flood: wrote %zu KiB in %lld ms, %s; resident memory grew %zu MiB\n",
                sent.sent >> 10, static_cast<long long>(took.count()),
                sent.ec ? sent.ec.message().c_str() : (sent.stalled ? "stalled" : "all sent"),
                growth >> 20);
    EXPECT_GE(sent.sent, cap) << "the flood did not go through";
    // The websocket the empty frames went to still echoes.
    co_await expect_raw_echo(socket, 1);
    EXPECT_LT(growth, 32u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
    co_await echo.finish();
  });
}

// Verifies that a WINDOW_UPDATE flood (connection and stream, a million increments of 1) is
// absorbed, and that the updates the rules forbid get their errors: a stream window past
// 2^31-1 RST_STREAM FLOW_CONTROL_ERROR, an increment of 0 RST_STREAM PROTOCOL_ERROR, and the
// connection window past 2^31-1 GOAWAY FLOW_CONTROL_ERROR (RFC 9113 6.9).
TEST(Attacks, WindowUpdateFloodAndOverflow) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    const auto before = resident_bytes();
    asio::ip::tcp::socket socket(ex);
    hpack_decoder decoder;
    co_await open_raw_websocket(socket, f, decoder);
    bytes chunk;
    for (int i = 0; i < 2048; ++i) {
      const auto c = window_update(0, 1), s = window_update(1, 1);
      chunk.insert(chunk.end(), c.begin(), c.end());
      chunk.insert(chunk.end(), s.begin(), s.end());
    }
    const std::size_t cap = chunk.size() * 500;  // a million updates of 1 each
    const auto sent = co_await flood(socket, chunk, cap, seconds(6));
    const auto growth = growth_since(before);
    std::printf("WINDOW_UPDATE flood: wrote %zu KiB, %s; resident memory grew %zu MiB\n",
                sent.sent >> 10,
                sent.ec ? sent.ec.message().c_str() : (sent.stalled ? "stalled" : "all sent"),
                growth >> 20);
    EXPECT_GE(sent.sent, cap) << "the flood did not go through";
    co_await expect_raw_echo(socket, 1);
    EXPECT_LT(growth, 32u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";

    // The stream's window past 2^31-1: that stream is reset, the connection serves on.
    auto out = window_update(1, 0x7fffffff);
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    auto seen = co_await read_frames(
        socket, seconds(3), [](const frame_seen& s) { return s.type == rst_stream_frame; },
        &decoder);
    const auto* reset = seen.find(rst_stream_frame, 1);
    EXPECT_TRUE(reset && reset->error_code == flow_control_error)
        << "stream window overflow: " << (reset ? reset->error_code : 99);
    // The connection's window past 2^31-1: GOAWAY FLOW_CONTROL_ERROR, and the end.
    out = window_update(0, 0x7fffffff);
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    seen = co_await read_frames(socket, seconds(3), never, &decoder);
    const auto* goaway = seen.find(goaway_frame, 0);
    EXPECT_TRUE(goaway && goaway->error_code == flow_control_error)
        << "connection window overflow: " << (goaway ? goaway->error_code : 99);
    EXPECT_TRUE(seen.closed);

    // An increment of 0 on a stream (RFC 9113 6.9: a stream error PROTOCOL_ERROR, which
    // nghttp2 makes a connection error: GOAWAY PROTOCOL_ERROR; both are within the rules).
    asio::ip::tcp::socket second(ex);
    hpack_decoder decoder2;
    co_await open_raw_websocket(second, f, decoder2);
    out = window_update(1, 0);
    co_await asio::async_write(second, asio::buffer(out), asio::use_awaitable);
    seen = co_await read_frames(second, seconds(3), never, &decoder2);
    goaway = seen.find(goaway_frame, 0);
    reset = seen.find(rst_stream_frame, 1);
    std::printf("zero increment: RST_STREAM %s (code %u), GOAWAY %s (code %u)\n",
                reset ? "yes" : "no", reset ? reset->error_code : 0u, goaway ? "yes" : "no",
                goaway ? goaway->error_code : 0u);
    EXPECT_TRUE((reset && reset->error_code == protocol_error) ||
                (goaway && goaway->error_code == protocol_error));
    co_await echo.finish();
  });
}

// Verifies that a client that sends the HTTP/2 preface a byte at a time (slowloris) is let go
// at server_options::handshake_timeout, before it has finished, while another client keeps
// its echoes.
TEST(Attacks, SlowPrefaceIsDroppedAtTheHandshakeTimeout) {
  server_options sopts;
  sopts.handshake_timeout = seconds(1);
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    constexpr std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    const auto start = std::chrono::steady_clock::now();
    std::size_t written = 0;
    auto slow_writer = [&]() -> asio::awaitable<void> {
      for (char c : preface) {
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(&c, 1), tuple_awaitable);
        if (ec) co_return;
        written += n;
        co_await sleep_for(milliseconds(150));  // 24 bytes: 3.6 s in all
      }
    };
    std::chrono::steady_clock::duration closed_after{};
    auto reader = [&]() -> asio::awaitable<frames_read> {
      auto seen = co_await read_frames(socket, seconds(6), never);
      closed_after = std::chrono::steady_clock::now() - start;
      co_return seen;
    };
    auto seen = co_await (slow_writer() && reader());
    const auto ms = std::chrono::duration_cast<milliseconds>(closed_after).count();
    std::printf("slow preface: %zu of %zu bytes written, closed after %lld ms\n", written,
                preface.size(), static_cast<long long>(ms));
    EXPECT_TRUE(seen.closed) << "the server kept the slow client";
    EXPECT_TRUE(seen.frames.empty());
    EXPECT_LT(written, preface.size());
    EXPECT_GE(ms, 900);
    EXPECT_LT(ms, 3000);
    co_await echo.finish();
  });
}

// Verifies that connections that stay idle after their preface, or open a header block and
// never finish it (slowloris over HTTP/2), cost little, get no answer, count against
// server_options::max_connections (the next one is closed at once), leave another client's
// echoes alone, and that the idle ones are closed when the server stops (the unfinished ones
// are not: StopClosesConnectionsWithAnUnfinishedHeaderBlock). HTTP/2 connections have no idle
// timeout yet, so until then they are held.
TEST(Attacks, IdleAndUnfinishedConnectionsLeaveOthersServed) {
  server_options sopts;
  sopts.max_connections = 64;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();  // one connection of the 64
    const auto before = resident_bytes();
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
    for (int i = 0; i < 63; ++i) {
      auto socket = std::make_unique<asio::ip::tcp::socket>(ex);
      co_await connect_raw(*socket, f);
      auto out = preface_and_settings({});
      if (i % 2) frame(out, headers_frame, 0, 1, connect_block());  // never finished
      co_await asio::async_write(*socket, asio::buffer(out), asio::use_awaitable);
      auto seen = co_await read_frames(
          *socket, seconds(2), [](const frame_seen& s) { return s.type == settings_frame; });
      EXPECT_TRUE(seen.has(settings_frame, 0)) << "connection " << i << " was not served";
      idle.push_back(std::move(socket));
    }
    const auto growth = growth_since(before);
    std::printf("63 idle connections: resident memory grew %zu KiB\n", growth >> 10);
    EXPECT_LT(growth, 16u << 20) << "resident memory grew by " << (growth >> 20) << " MiB";
    {
      // The 65th connection is closed at once.
      asio::ip::tcp::socket socket(ex);
      co_await connect_raw(socket, f);
      const auto out = preface_and_settings({});
      co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
      auto seen = co_await read_frames(socket, seconds(2), never);
      EXPECT_TRUE(seen.closed) << "max_connections not enforced";
      EXPECT_FALSE(seen.has(settings_frame, 0));
    }
    // The unfinished header blocks got no answer and their connections are still there.
    auto seen = co_await read_frames(*idle[1], milliseconds(200), never);
    EXPECT_FALSE(seen.has(headers_frame, 1));
    EXPECT_FALSE(seen.closed);
    // Room for a new client again once some leave.
    for (int i = 0; i < 8; ++i) idle.pop_back();
    co_await sleep_for(milliseconds(200));
    co_await echo.finish();
    // A server stopping does not wait for them: each gets its GOAWAY and is closed.
    f.srv().stop();
    const auto deadline = std::chrono::steady_clock::now() + seconds(3);
    std::size_t closed = 0, goaways = 0;
    for (std::size_t i = 0; i < idle.size(); i += 2) {  // the idle ones (see the next test)
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      auto end = co_await read_frames(*idle[i], std::max(left, milliseconds(10)), never);
      closed += end.closed;
      goaways += end.has(goaway_frame, 0);
    }
    const auto idle_ones = (idle.size() + 1) / 2;
    EXPECT_EQ(closed, idle_ones) << "idle connections left open after stop()";
    EXPECT_EQ(goaways, idle_ones);
  });
}

// Verifies that malformed or unsupported websocket handshakes each get their answer on their
// own stream (RFC 8441 4, RFC 9113 8.1.1, 8.2, 8.5), all on one connection that keeps serving:
// sent at once after the preface, before the server's SETTINGS were read (the server has
// sent SETTINGS_ENABLE_CONNECT_PROTOCOL already, so the extended CONNECT is served), and
// another client keeps its echoes.
TEST(Attacks, HandshakeAbuseGetsItsAnswers) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    using fields = std::vector<std::pair<std::string, std::string>>;
    struct abuse {
      const char* what;
      fields headers;
      int status;           // the answer, or 0 for...
      std::uint32_t reset;  // ...a RST_STREAM with this code
    };
    const std::pair<std::string, std::string> method{":method", "CONNECT"},
        protocol{":protocol", "websocket"}, scheme{":scheme", "http"}, path{":path", "/echo"},
        authority{":authority", "localhost"}, version{"sec-websocket-version", "13"};
    const std::vector<abuse> cases = {
        {"CONNECT without :protocol, with :scheme and :path",
         {method, scheme, path, authority, version},
         0,
         protocol_error},
        {"a plain CONNECT tunnel", {method, {":authority", "localhost:22"}}, 405, 0},
        {":protocol websocket on a GET",
         {{":method", "GET"}, protocol, scheme, path, authority, version},
         0,
         protocol_error},
        {"no sec-websocket-version", {method, protocol, scheme, path, authority}, 400, 0},
        {"sec-websocket-version 8",
         {method, protocol, scheme, path, authority, {"sec-websocket-version", "8"}},
         400,
         0},
        {":protocol other than websocket",
         {method, {":protocol", "chat"}, scheme, path, authority, version},
         501,
         0},
        {"a path without websockets",
         {method, protocol, scheme, {":path", "/nowhere"}, authority, version},
         404,
         0},
        {"an uppercase header name",
         {method, protocol, scheme, path, authority, {"Sec-WebSocket-Version", "13"}},
         0,
         protocol_error},
        {"a connection-specific header",
         {method, protocol, scheme, path, authority, version, {"connection", "upgrade"}},
         0,
         protocol_error},
        {"no :authority", {method, protocol, scheme, path, version}, 0, protocol_error},
        {"the valid extended CONNECT",
         {method, protocol, scheme, path, authority, version},
         200,
         0},
    };
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    auto out = preface_and_settings({});
    for (std::size_t i = 0; i < cases.size(); ++i)
      frame(out, headers_frame, end_headers, static_cast<std::uint32_t>(1 + 2 * i),
            request_block(cases[i].headers));
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    hpack_decoder decoder;
    std::size_t answered = 0;
    auto seen = co_await read_frames(
        socket, seconds(3),
        [&](const frame_seen& s) {
          answered += (s.type == headers_frame || s.type == rst_stream_frame) && s.stream != 0;
          return answered == cases.size() || s.type == goaway_frame;
        },
        &decoder);
    EXPECT_FALSE(seen.has(goaway_frame, 0)) << "a stream's error ended the connection";
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const auto id = static_cast<std::uint32_t>(1 + 2 * i);
      const auto* headers = seen.find(headers_frame, id);
      const auto* reset = seen.find(rst_stream_frame, id);
      if (cases[i].status) {
        EXPECT_TRUE(headers && headers->status == cases[i].status)
            << cases[i].what << ": status " << (headers ? headers->status : 0)
            << (reset ? ", reset" : "");
      } else {
        EXPECT_FALSE(headers) << cases[i].what << ": answered " << headers->status;
        EXPECT_TRUE(reset && reset->error_code == cases[i].reset)
            << cases[i].what << ": RST_STREAM " << (reset ? int(reset->error_code) : -1);
      }
    }
    // The websocket opened after all that echoes.
    co_await expect_raw_echo(socket, static_cast<std::uint32_t>(1 + 2 * (cases.size() - 1)));
    co_await echo.finish();
  });
}

// Verifies that an extended CONNECT sent to a server that did not advertise
// SETTINGS_ENABLE_CONNECT_PROTOCOL is malformed (RFC 8441 3, RFC 9113 8.5: RST_STREAM
// PROTOCOL_ERROR) and that the connection serves plain requests on.
TEST(Attacks, ExtendedConnectWithoutTheSettingIsReset) {
  server_options sopts;
  sopts.enable_connect_protocol = false;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    auto out = preface_and_settings({});
    frame(out, headers_frame, end_headers, 1, connect_block());
    frame(out, headers_frame, end_headers | end_stream, 3,
          request_block(
              {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "x"}}));
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    hpack_decoder decoder;
    auto seen = co_await read_frames(
        socket, seconds(3), [](const frame_seen& s) { return s.type == headers_frame; }, &decoder);
    const auto* reset = seen.find(rst_stream_frame, 1);
    EXPECT_TRUE(reset && reset->error_code == protocol_error)
        << "RST_STREAM " << (reset ? int(reset->error_code) : -1);
    EXPECT_FALSE(seen.has(headers_frame, 1)) << "the extended CONNECT was answered";
    const auto* answer = seen.find(headers_frame, 3);
    EXPECT_TRUE(answer && answer->status == 200);
  });
}

// Verifies that frames HTTP/2 forbids end the connection with GOAWAY and the right code
// (RFC 9113 5.1, 5.1.1, 6.x), each on its own connection, while another client keeps its
// echoes.
TEST(Attacks, InvalidFramesGetGoaway) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    echo_beside echo(f);
    co_await echo.start();
    constexpr std::uint32_t frame_size_error = 0x6;
    const auto websocket = connect_block();
    struct invalid {
      const char* what;
      bytes frames;
      std::uint32_t code;
    };
    std::vector<invalid> cases;
    auto add = [&](const char* what, std::uint32_t code, auto build) {
      bytes b;
      build(b);
      cases.push_back({what, std::move(b), code});
    };
    add("DATA on stream 0", protocol_error, [&](bytes& b) { frame(b, data_frame, 0, 0, {'x'}); });
    add("HEADERS on an even stream", protocol_error,
        [&](bytes& b) { frame(b, headers_frame, end_headers, 2, websocket); });
    add("HEADERS on stream 0", protocol_error,
        [&](bytes& b) { frame(b, headers_frame, end_headers, 0, websocket); });
    add("DATA on an idle stream", protocol_error,
        [&](bytes& b) { frame(b, data_frame, 0, 7, {'x'}); });
    add("a frame past SETTINGS_MAX_FRAME_SIZE", frame_size_error, [&](bytes& b) {
      frame(b, headers_frame, end_headers, 1, websocket);
      frame(b, data_frame, 0, 1, bytes(16385, 'x'));
    });
    add("a PING of 7 bytes", frame_size_error,
        [&](bytes& b) { frame(b, ping_frame, 0, 0, bytes(7, 0)); });
    add("SETTINGS_INITIAL_WINDOW_SIZE past 2^31-1", flow_control_error, [&](bytes& b) {
      frame(b, settings_frame, 0, 0, {0x00, 0x04, 0x80, 0x00, 0x00, 0x00});
    });
    add("SETTINGS_ENABLE_PUSH 2", protocol_error, [&](bytes& b) {
      frame(b, settings_frame, 0, 0, {0x00, 0x02, 0x00, 0x00, 0x00, 0x02});
    });
    add("WINDOW_UPDATE of 0 on the connection", protocol_error,
        [&](bytes& b) { b = window_update(0, 0); });
    for (const auto& c : cases) {
      asio::ip::tcp::socket socket(ex);
      co_await connect_raw(socket, f);
      auto out = preface_and_settings({});
      out.insert(out.end(), c.frames.begin(), c.frames.end());
      co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
      hpack_decoder decoder;
      auto seen = co_await read_frames(socket, seconds(3), never, &decoder);
      const auto* goaway = seen.find(goaway_frame, 0);
      EXPECT_TRUE(goaway && goaway->error_code == c.code)
          << c.what << ": GOAWAY " << (goaway ? int(goaway->error_code) : -1);
      EXPECT_TRUE(seen.closed) << c.what << ": the connection stayed open";
    }
    co_await echo.finish();
  });
}

// Verifies that a HEADERS on a stream id below one already used (stream ids going down) is
// harmless: no answer, nothing kept, and the connection serves on. RFC 9113 5.1.1 makes it
// a connection error, but nghttp2 deliberately lets it pass where it cannot be sure the
// stream is closed (a client may send trailers on a stream the server has just reset): we
// keep nghttp2's judgement rather than parse frames beside it.
TEST(Attacks, StreamIdsGoingDownAreIgnored) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    auto out = preface_and_settings({});
    frame(out, headers_frame, end_headers, 5, connect_block());
    frame(out, headers_frame, end_headers, 3, connect_block());
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    hpack_decoder decoder;
    auto seen = co_await read_frames(socket, milliseconds(500), never, &decoder);
    EXPECT_TRUE(seen.has(headers_frame, 5)) << "the valid CONNECT got no answer";
    EXPECT_FALSE(seen.has(headers_frame, 3)) << "stream 3 was served after stream 5";
    EXPECT_FALSE(seen.has(goaway_frame, 0));
    EXPECT_FALSE(seen.closed);
    co_await expect_raw_echo(socket, 5);  // the connection and stream 5 serve on
  });
}

// Verifies that stopping the server closes a connection whose client opened a header block
// and never finished it: it gets its GOAWAY and the connection ends within a bounded time
// (a stream whose request never arrived does not hold a stopping server).
TEST(Attacks, StopClosesConnectionsWithAnUnfinishedHeaderBlock) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    co_await connect_raw(socket, f);
    auto out = preface_and_settings({});
    frame(out, headers_frame, 0, 1, connect_block());  // no END_HEADERS, and nothing more
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    (void)co_await read_frames(socket, seconds(2),
                               [](const frame_seen& s) { return s.type == settings_frame; });
    f.srv().stop();
    auto seen = co_await read_frames(socket, seconds(2), never);
    EXPECT_TRUE(seen.has(goaway_frame, 0));
    EXPECT_TRUE(seen.closed) << "the connection outlives the server's stop()";
  });
}

// Verifies that a websocket whose connection is lost (the client's TCP connection closed,
// no close frame, no RST_STREAM) is no longer counted by server::open_websockets().
TEST(Attacks, AbruptlyLostConnectionUncountsItsWebsocket) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    const auto before = f.srv().open_websockets();
    {
      asio::ip::tcp::socket socket(ex);
      hpack_decoder decoder;
      co_await open_raw_websocket(socket, f, decoder);
      co_await expect_raw_echo(socket, 1);
      EXPECT_EQ(f.srv().open_websockets(), before + 1);
    }  // closed here
    for (int i = 0; i < 100 && f.srv().open_websockets() > before; ++i)
      co_await sleep_for(milliseconds(10));
    EXPECT_EQ(f.srv().open_websockets(), before) << "the lost websocket is still counted";
  });
}

// Verifies server_options::idle_timeout: a connection that only said hello, one whose
// header block never ends, and one that only sends PINGs each get GOAWAY and are closed
// about when the timeout passes, while a websocket that echoes now and then stays open.
TEST(Attacks, IdleConnectionsAreClosedAtTheIdleTimeout) {
  server_options sopts;
  sopts.idle_timeout = seconds(1);
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
    for (int i = 0; i < 3; ++i) {
      auto socket = std::make_unique<asio::ip::tcp::socket>(ex);
      co_await connect_raw(*socket, f);
      auto out = preface_and_settings({});
      if (i == 1) frame(out, headers_frame, 0, 1, connect_block());  // never finished
      co_await asio::async_write(*socket, asio::buffer(out), asio::use_awaitable);
      idle.push_back(std::move(socket));
    }
    asio::ip::tcp::socket busy(ex);
    hpack_decoder decoder;
    co_await open_raw_websocket(busy, f, decoder);
    // 2.4 s: the websocket echoes every 300 ms, the third connection PINGs as often (until
    // its write fails: the server closed it).
    boost::system::error_code ping_failed;
    for (int round = 0; round < 8; ++round) {
      co_await expect_raw_echo(busy, 1);
      if (!ping_failed) {
        bytes ping;
        frame(ping, ping_frame, 0, 0, bytes(8, 0));
        co_await asio::async_write(*idle[2], asio::buffer(ping),
                                   asio::redirect_error(asio::use_awaitable, ping_failed));
      }
      co_await sleep_for(milliseconds(300));
    }
    for (std::size_t i = 0; i < idle.size(); ++i) {
      auto seen = co_await read_frames(*idle[i], seconds(2), never);
      const auto after = std::chrono::steady_clock::now() - start;
      EXPECT_TRUE(seen.has(goaway_frame, 0)) << "connection " << i << " got no GOAWAY";
      EXPECT_TRUE(seen.closed) << "connection " << i << " is still open after "
                               << std::chrono::duration_cast<milliseconds>(after).count() << " ms";
    }
    // Closed by the idle timeout, not before: the websocket's connection is still there.
    co_await expect_raw_echo(busy, 1);
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(900));
  });
}

}  // namespace
}  // namespace h2ws::test
