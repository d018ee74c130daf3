// permessage-deflate (RFC 7692) end to end: our client and server, and
// python3-websockets over the HTTP/1.1 path.
#include "python_peer.hpp"
#include "tcp_relay.hpp"
#include "test_support.hpp"
#include "wire_checks.hpp"

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

// Sends messages of every kind and size and checks their echo; appends them to `sent`, if
// given.
asio::awaitable<void> round_trips(websocket& ws, std::vector<message>* sent = nullptr) {
  std::string random_bytes(256 * 1024, '\0');
  std::uint32_t x = 12345;
  for (auto& c : random_bytes) c = static_cast<char>((x = x * 1103515245 + 12345) >> 16);
  std::string chatty;
  for (int i = 0; i < 20000; ++i) chatty += "{\"event\":\"tick\",\"n\":" + std::to_string(i) + "}";
  for (auto m : {message::text(""), message::text("a"), message::text(chatty),
                 message::text("h\xc3\xa9llo \xf0\x9f\x98\x80"), message::binary(random_bytes),
                 message::text(chatty)}) {
    if (sent) sent->push_back(m);
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

// Verifies that compressed messages may also be fragmented, over HTTP/2 and over HTTP/1.1:
// a relay records the connection, and each message is on the wire as compressed frames of at
// most max_send_frame_size payload bytes (client 333, server 1000), RSV1 on the first frame
// only, the continuations without it.
TEST(Compression, FragmentedCompressedMessages) {
  server_fixture f(compressing_server(1000));
  for (const int version : {2, 1}) {
    SCOPED_TRACE("HTTP/" + std::to_string(version));
    tcp_relay relay(f.context(), f.srv().port(), tcp_relay::recording::on);
    std::vector<message> sent;
    f.run([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto opts = compressing_client();
      opts.max_send_frame_size = 333;
      opts.force_http1 = version == 1;
      const auto url = "ws://127.0.0.1:" + std::to_string(relay.port()) + "/echo";
      auto ws = co_await h2ws::connect(ex, url, opts, asio::use_awaitable);
      EXPECT_EQ(ws.http_version(), version);
      EXPECT_NE(ws.extensions().find("permessage-deflate"), std::string::npos) << ws.extensions();
      co_await round_trips(ws, &sent);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    });
    ASSERT_EQ(relay.recorded().size(), 1u);
    const auto& bytes = *relay.recorded().front();
    const auto traffic = wire::decode_websocket(bytes.from_client, bytes.from_server);
    ASSERT_EQ(traffic.error, "");
    EXPECT_EQ(traffic.http_version, version);
    const auto from_client = expect_wire_frames(traffic.from_client, {sent, 333, true, true});
    const auto from_server = expect_wire_frames(traffic.from_server, {sent, 1000, false, true});
    // The large messages do not fit one frame even compressed (256 KiB of random bytes,
    // 540 KB of chatty JSON); the empty one does.
    ASSERT_EQ(from_client.size(), 6u);
    ASSERT_EQ(from_server.size(), 6u);
    EXPECT_EQ(from_client[0], 1u);
    EXPECT_EQ(from_server[0], 1u);
    EXPECT_GT(from_client[2], 1u);
    EXPECT_GT(from_server[2], 1u);
    EXPECT_GT(from_client[4], 256u * 1024 / 333);
    EXPECT_GT(from_server[4], 256u * 1024 / 1000);
  }
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
