// permessage-deflate (RFC 7692) end to end: our client and server, and
// python3-websockets over the HTTP/1.1 path.
#include "python_peer.hpp"
#include "test_support.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

server_options compressing_server(std::size_t fragment = 0) {
  server_options o;
  o.limits.compression = true;
  o.limits.max_send_frame_size = fragment;
  return o;
}

options compressing_client() {
  auto o = test_options();
  o.compression = true;
  return o;
}

asio::awaitable<void> round_trips(websocket& ws) {
  std::string random_bytes(256 * 1024, '\0');
  std::uint32_t x = 12345;
  for (auto& c : random_bytes) c = static_cast<char>((x = x * 1103515245 + 12345) >> 16);
  std::string chatty;
  for (int i = 0; i < 20000; ++i) chatty += "{\"event\":\"tick\",\"n\":" + std::to_string(i) + "}";
  for (auto m : {message::text(""), message::text("a"), message::text(chatty),
                 message::text("h\xc3\xa9llo \xf0\x9f\x98\x80"), message::binary(random_bytes),
                 message::text(chatty)}) {
    co_await ws.send(m, asio::use_awaitable);
    auto back = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(back.type(), m.type());
    EXPECT_TRUE(back == m) << "size " << m.size();
  }
}

// Verifies that both sides negotiate permessage-deflate and that text and binary
// messages of every size survive compression, with context takeover across messages.
TEST(Compression, NegotiatedAndRoundTrips) {
  server_fixture f(compressing_server());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn =
        co_await connection::connect(ex, f.url(), compressing_client(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    EXPECT_NE(ws.extensions().find("permessage-deflate"), std::string::npos) << ws.extensions();
    co_await round_trips(ws);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that compressed messages may also be fragmented (RSV1 on the first frame only).
TEST(Compression, FragmentedCompressedMessages) {
  server_fixture f(compressing_server(1000));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = compressing_client();
    opts.max_send_frame_size = 333;
    auto conn = co_await connection::connect(ex, f.url(), opts, asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    co_await round_trips(ws);
  });
}

// Verifies that an offer the server does not take leaves the websocket uncompressed
// but working, and that a server never compresses for a client that did not offer.
TEST(Compression, NotNegotiatedWhenOneSideDeclines) {
  server_fixture plain;
  plain.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn =
        co_await connection::connect(ex, plain.url(), compressing_client(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    EXPECT_EQ(ws.extensions(), "");
    co_await round_trips(ws);
  });
  server_fixture compressing(compressing_server());
  compressing.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn =
        co_await connection::connect(ex, compressing.url(), test_options(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    EXPECT_EQ(ws.extensions(), "");
    co_await round_trips(ws);
  });
}

// Verifies interop with a third-party implementation: python3-websockets
// negotiates permessage-deflate by default; over the HTTP/1.1 path.
TEST(Compression, InteropWithPythonWebsockets) {
  python_websockets_server peer;
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = compressing_client();
    opts.force_http1 = true;
    auto ws = co_await h2ws::connect(ex, "ws://127.0.0.1:" + std::to_string(peer.port()) + "/",
                                     opts, asio::use_awaitable);
    EXPECT_NE(ws.extensions().find("permessage-deflate"), std::string::npos) << ws.extensions();
    co_await round_trips(ws);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

}  // namespace
}  // namespace h2ws::test
