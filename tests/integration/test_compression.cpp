// permessage-deflate (RFC 7692) end to end: our client and server, and
// python3-websockets over the HTTP/1.1 path.
#include "python_peer.hpp"
#include "tcp_relay.hpp"
#include "test_support.hpp"
#include "wire_checks.hpp"

#include <boost/asio/as_tuple.hpp>
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

// Verifies options::deflate on the client: its window bits and context takeover wishes are
// offered and agreed, and messages survive the smaller windows, over both protocols.
TEST(Compression, ClientDeflateSettingsAreAgreed) {
  server_fixture f(compressing_server());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    for (bool h1 : {false, true}) {
      auto opts = compressing_client();
      opts.force_http1 = h1;
      opts.deflate.client_max_window_bits = 10;
      opts.deflate.server_max_window_bits = 11;
      opts.deflate.server_no_context_takeover = true;
      opts.deflate.client_no_context_takeover = true;
      opts.deflate.level = 9;
      opts.deflate.mem_level = 4;
      auto ws = co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
      const auto agreed = ws.extensions();
      EXPECT_NE(agreed.find("client_max_window_bits=10"), std::string::npos) << agreed;
      EXPECT_NE(agreed.find("server_max_window_bits=11"), std::string::npos) << agreed;
      EXPECT_NE(agreed.find("server_no_context_takeover"), std::string::npos) << agreed;
      EXPECT_NE(agreed.find("client_no_context_takeover"), std::string::npos) << agreed;
      co_await round_trips(ws);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    }
  });
}

// Verifies the server's deflate limits: a client offering the defaults is answered with the
// server's smaller window and no-context-takeover, and both sides work with them.
TEST(Compression, ServerImposesItsDeflateLimits) {
  auto sopts = compressing_server();
  sopts.limits.deflate.server_max_window_bits = 9;
  sopts.limits.deflate.client_no_context_takeover = true;
  sopts.limits.deflate.level = 1;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    for (bool h1 : {false, true}) {
      auto opts = compressing_client();
      opts.force_http1 = h1;
      auto ws = co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
      const auto agreed = ws.extensions();
      EXPECT_NE(agreed.find("server_max_window_bits=9"), std::string::npos) << agreed;
      EXPECT_NE(agreed.find("client_no_context_takeover"), std::string::npos) << agreed;
      co_await round_trips(ws);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    }
  });
}

// Verifies message::set_compress(false): that message goes out uncompressed (the server's
// trace shows it arrive without RSV1, at its full size) while the others are compressed, and
// all come back whole.
TEST(Compression, MessageCanOptOut) {
  trace_recorder seen;
  auto sopts = compressing_server();
  sopts.limits.trace = seen.sink();
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ws = co_await h2ws::connect(ex, f.url(), compressing_client(), asio::use_awaitable);
    EXPECT_NE(ws.extensions().find("permessage-deflate"), std::string::npos);
    auto as_is = message::binary(std::string(50000, 'a'));
    as_is.set_compress(false);
    for (auto m : {message::binary(std::string(40000, 'b')), as_is}) {
      co_await ws.send(m, asio::use_awaitable);
      auto back = co_await ws.receive(asio::use_awaitable);
      EXPECT_TRUE(back == m) << "size " << m.size();
    }
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
  EXPECT_TRUE(seen.contains("< websocket binary message 50000 bytes"))
      << "the opted-out message did not arrive as is";
  EXPECT_FALSE(seen.contains("< websocket binary message 50000 bytes compressed"));
  EXPECT_FALSE(seen.contains("< websocket binary message 40000 bytes"))
      << "the ordinary message was not compressed";
  EXPECT_TRUE(seen.contains("bytes compressed"));
}

// Verifies that deflate settings out of range are refused with invalid_argument: by the
// client's connect (both ways of connecting) and by the server's listen().
TEST(Compression, OutOfRangeDeflateSettingsAreRefused) {
  server_fixture f(compressing_server());
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    for (auto bad : {0, 1, 2, 3}) {
      auto opts = compressing_client();
      if (bad == 0) opts.deflate.client_max_window_bits = 16;
      if (bad == 1) opts.deflate.server_max_window_bits = 7;
      if (bad == 2) opts.deflate.level = 10;
      if (bad == 3) opts.deflate.mem_level = 0;
      auto [ec, conn] =
          co_await connection::connect(ex, f.url(), opts, asio::as_tuple(asio::use_awaitable));
      EXPECT_EQ(ec, boost::system::errc::invalid_argument) << bad << ": " << ec.message();
      auto [ec2, ws] =
          co_await h2ws::connect(ex, f.url(), opts, asio::as_tuple(asio::use_awaitable));
      EXPECT_EQ(ec2, boost::system::errc::invalid_argument) << bad << ": " << ec2.message();
    }
  });
  auto sopts = compressing_server();
  sopts.limits.deflate.level = 12;
  asio::io_context ioc;
  server bad(ioc.get_executor(), sopts, h2ws::echo);
  EXPECT_EQ(bad.listen("127.0.0.1", 0), boost::system::errc::invalid_argument);
}

}  // namespace
}  // namespace h2ws::test
