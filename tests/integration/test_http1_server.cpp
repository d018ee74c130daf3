// The server's HTTP/1.1 side on the same port as HTTP/2: RFC 6455 Upgrades, plain
// requests, bad and slow requests. Clients: h2ws itself (force_http1) and raw sockets.
#include "test_support.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using clock_type = std::chrono::steady_clock;

options http1_options() {
  auto o = test_options();
  o.force_http1 = true;
  return o;
}

// Sends `request` on a raw TCP connection and reads until the server closes (bounded
// by the fixture's run limit); returns everything the server sent.
asio::awaitable<std::string> raw_exchange(std::uint16_t port, std::string request) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(ex);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
  std::string answer;
  // Until EOF (or a reset): either way, what arrived is the answer.
  (void)co_await asio::async_read(socket, asio::dynamic_buffer(answer), tuple_awaitable);
  co_return answer;
}

// Verifies that an h2ws client forced to HTTP/1.1 opens a websocket on the same port
// the HTTP/2 clients use, that both sides see http_version() 1, and that messages,
// the subprotocol and the close handshake work over it.
TEST(Http1Server, UpgradeOnTheSamePortEchoesAndCloses) {
  std::vector<int> server_saw_versions;
  server_options sopts;
  sopts.subprotocols = {"chat"};
  server_fixture f(sopts, [&](websocket ws) {
    server_saw_versions.push_back(ws.http_version());
    echo(std::move(ws));
  });
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    websocket_request request;
    request.path = "/echo";
    request.subprotocols.push_back("chat");
    auto ws = co_await h2ws::connect(ex, f.url(), request, http1_options(), asio::use_awaitable);
    EXPECT_EQ(ws.http_version(), 1);
    EXPECT_EQ(ws.status(), 101u);
    EXPECT_EQ(ws.subprotocol(), "chat");
    for (int i = 0; i < 20; ++i) {
      auto m = message::text("message " + std::to_string(i));
      co_await ws.send(m, asio::use_awaitable);
      auto back = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(back, m);
    }
    auto big = message::binary(std::string(300000, 'b'));
    co_await ws.send(big, asio::use_awaitable);
    auto back = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(back.size(), big.size());
    auto [ec] = co_await ws.close(close_code::normal, "bye", tuple_awaitable);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(ws.peer_close_code(), 1000);
    // And HTTP/2 on the same port, at the same time.
    auto h2 = co_await h2ws::connect(ex, f.url(), request, test_options(), asio::use_awaitable);
    EXPECT_EQ(h2.http_version(), 2);
  });
  EXPECT_EQ(server_saw_versions, (std::vector<int>{1, 2}));
}

// Verifies that permessage-deflate is negotiated over HTTP/1.1 too.
TEST(Http1Server, CompressionOverHttp1) {
  server_options sopts;
  sopts.limits.compression = true;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = http1_options();
    opts.compression = true;
    websocket_request request;
    request.path = "/echo";
    auto ws = co_await h2ws::connect(ex, f.url(), request, opts, asio::use_awaitable);
    EXPECT_NE(ws.extensions().find("permessage-deflate"), std::string::npos);
    auto m = message::text(std::string(50000, 'z'));
    co_await ws.send(m, asio::use_awaitable);
    auto back = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(back, m);
  });
}

// Verifies that a refused Upgrade gets its status over HTTP/1.1 (404 for an unknown path).
TEST(Http1Server, UnknownPathIsRefused) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    websocket_request request;
    request.path = "/nowhere";
    auto [ec, ws] =
        co_await h2ws::connect(ex, f.url("/nowhere"), request, http1_options(), tuple_awaitable);
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(ws.status(), 404u);
  });
}

// Verifies that a plain HTTP/1.1 GET / is answered with the server's page, and that
// keep-alive serves a second request on the same connection.
TEST(Http1Server, PlainRequestsAreAnswered) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto answer = co_await raw_exchange(
        f.srv().port(),
        "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos) << answer;
  });
}

// Verifies RFC 6455 4.2.1/4.4 on a bad Upgrade: no key gets 400, version 8 gets 426 with
// Sec-WebSocket-Version: 13.
TEST(Http1Server, BadUpgradesGet400Or426) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto no_key = co_await raw_exchange(
        f.srv().port(),
        "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    EXPECT_EQ(no_key.rfind("HTTP/1.1 400 ", 0), 0u) << no_key;
    auto old_version = co_await raw_exchange(
        f.srv().port(),
        "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
    EXPECT_EQ(old_version.rfind("HTTP/1.1 426 ", 0), 0u) << old_version;
    EXPECT_NE(old_version.find("sec-websocket-version: 13"), std::string::npos) << old_version;
    auto garbage = co_await raw_exchange(f.srv().port(), "HELLO\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400 ", 0), 0u) << garbage;
  });
}

// Verifies that a request head larger than max_header_list_size gets 431.
TEST(Http1Server, OversizedHeadGets431) {
  server_options sopts;
  sopts.limits.max_header_list_size = 4096;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto answer = co_await raw_exchange(f.srv().port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                            std::string(8000, 'a') + "\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer.substr(0, 100);
  });
}

// Verifies that a client that sends half a request and stalls (slowloris) is dropped
// after handshake_timeout, and that a client that sends nothing at all is too.
TEST(Http1Server, SlowRequestsAreDroppedAfterTheHandshakeTimeout) {
  server_options sopts;
  sopts.handshake_timeout = std::chrono::milliseconds(300);
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    for (std::string partial : {std::string("GET / HTTP/1.1\r\nHost: x\r\n"), std::string()}) {
      const auto start = clock_type::now();
      auto answer = co_await raw_exchange(f.srv().port(), partial);
      const auto waited = clock_type::now() - start;
      EXPECT_GE(waited, std::chrono::milliseconds(250));
      EXPECT_LT(waited, std::chrono::seconds(3));
      EXPECT_TRUE(answer.empty()) << answer;
    }
  });
}

// Verifies that stopping the server closes HTTP/1.1 websockets with 1001.
TEST(Http1Server, StopClosesHttp1WebsocketsWith1001) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    websocket_request request;
    request.path = "/echo";
    auto ws = co_await h2ws::connect(ex, f.url(), request, http1_options(), asio::use_awaitable);
    co_await ws.send(message::text("x"), asio::use_awaitable);
    (void)co_await ws.receive(asio::use_awaitable);
    f.srv().stop();
    auto [ec, m] = co_await ws.receive(tuple_awaitable);
    EXPECT_EQ(ec, error::closed) << ec.message();
    EXPECT_EQ(ws.peer_close_code(), 1001);
  });
}

}  // namespace
}  // namespace h2ws::test
