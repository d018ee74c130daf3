// The HTTP/1.1 Upgrade path, forced or as a fallback, against python3-websockets
// (a real HTTP/1.1-only WebSocket server), in cleartext and over TLS.
#include "http1/upgrade.hpp"
#include "python_peer.hpp"
#include "test_support.hpp"
#include "tls_certs.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string url_of(const python_websockets_server& peer, const std::string& scheme = "ws",
                   const std::string& host = "127.0.0.1") {
  return scheme + "://" + host + ":" + std::to_string(peer.port()) + "/echo";
}

asio::awaitable<void> expect_echoes(websocket& ws) {
  co_await ws.send(message::text("hello h1"), asio::use_awaitable);
  auto m = co_await ws.receive(asio::use_awaitable);
  EXPECT_TRUE(m.is_text());
  EXPECT_EQ(m.text(), "hello h1");
  std::string big(1024 * 1024 + 7, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i % 251);
  co_await ws.send(message::binary(big), asio::use_awaitable);
  auto b = co_await ws.receive(asio::use_awaitable);
  EXPECT_TRUE(b.is_binary());
  EXPECT_TRUE(b.text() == big);
}

// Verifies that force_http1 opens the websocket with an HTTP/1.1 Upgrade
// (checked Sec-WebSocket-Accept, negotiated subprotocol) and that the same codec
// and close handshake run over it.
TEST(Fallback, ForcedHttp1AgainstPythonWebsockets) {
  python_websockets_server peer;
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.force_http1 = true;
    websocket_request request;
    request.subprotocols.push_back("chat");
    auto ws = co_await h2ws::connect(ex, url_of(peer), request, opts, asio::use_awaitable);
    EXPECT_EQ(ws.http_version(), 1);
    EXPECT_EQ(ws.status(), 101u);
    EXPECT_EQ(ws.subprotocol(), "chat");
    co_await expect_echoes(ws);
    auto [ec] = co_await ws.close(close_code::normal, "done", tuple_awaitable);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(ws.peer_close_code(), 1000);
  });
}

// Verifies that a server speaking only HTTP/1.1 refuses our h2c preface, and
// that with fallback on the websocket opens over HTTP/1.1; without it, a clear error.
TEST(Fallback, H2cPrefaceRefusedFallsBack) {
  python_websockets_server peer;
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, none] = co_await h2ws::connect(ex, url_of(peer), test_options(), tuple_awaitable);
    EXPECT_TRUE(ec == error::connection_lost || ec == error::http2_protocol_error) << ec.message();
    auto opts = test_options();
    opts.fallback = true;
    auto ws = co_await h2ws::connect(ex, url_of(peer), opts, asio::use_awaitable);
    EXPECT_EQ(ws.http_version(), 1);
    co_await expect_echoes(ws);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a TLS server whose ALPN picks http/1.1 fails with no_h2_alpn, and
// that with fallback the websocket opens over HTTP/1.1 inside TLS.
TEST(Fallback, AlpnHttp1FallsBackOverTls) {
  auto files = make_self_signed({"localhost"}, {"127.0.0.1"});
  python_websockets_server peer({"--tls", files.cert, files.key});
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.ca_file = files.cert;
    auto [ec, none] = co_await h2ws::connect(ex, url_of(peer, "wss"), opts, tuple_awaitable);
    EXPECT_EQ(ec, error::no_h2_alpn) << ec.message();
    opts.fallback = true;
    auto ws =
        co_await h2ws::connect(ex, url_of(peer, "wss", "localhost"), opts, asio::use_awaitable);
    EXPECT_EQ(ws.http_version(), 1);
    co_await expect_echoes(ws);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that an origin found without RFC 8441 is remembered: the next open with
// fallback skips HTTP/2 at once (seen in the trace), and with fallback_memory = 0 it
// is not remembered.
TEST(Fallback, OriginWithoutRfc8441IsRemembered) {
  python_websockets_server peer;
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    trace_recorder trace;
    auto opts = test_options();
    opts.fallback = true;
    opts.trace = trace.sink();
    auto skipped = [&] { return trace.contains("skipping HTTP/2"); };
    auto first = co_await h2ws::connect(ex, url_of(peer), opts, asio::use_awaitable);
    EXPECT_EQ(first.http_version(), 1);
    EXPECT_FALSE(skipped());
    auto second = co_await h2ws::connect(ex, url_of(peer), opts, asio::use_awaitable);
    EXPECT_EQ(second.http_version(), 1);
    EXPECT_TRUE(skipped()) << "the second open tried HTTP/2 again";

    // With the memory off, another origin is tried over HTTP/2 every time.
    python_websockets_server other;
    EXPECT_NE(other.port(), 0) << other.error();
    trace.lines.clear();
    opts.fallback_memory = duration::zero();
    for (int i = 0; i < 2; ++i) {
      auto ws = co_await h2ws::connect(ex, url_of(other), opts, asio::use_awaitable);
      EXPECT_EQ(ws.http_version(), 1);
    }
    EXPECT_FALSE(skipped()) << "remembered although fallback_memory is 0";
  });
}

// Verifies that when the server supports RFC 8441 the fallback is not taken.
TEST(Fallback, Rfc8441ServerIsUsedOverHttp2) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.fallback = true;
    auto ws = co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
    EXPECT_EQ(ws.http_version(), 2);
  });
}

// Verifies the Upgrade handshake rules on their own: RFC 6455's worked example of
// Sec-WebSocket-Accept, and every way a 101 answer can be wrong.
TEST(Fallback, UpgradeAnswerIsChecked) {
  EXPECT_EQ(http1::accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  std::string key = "dGhlIHNhbXBsZSBub25jZQ==", sub;
  header_list good = {{"upgrade", "websocket"},
                      {"connection", "Upgrade"},
                      {"sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
  EXPECT_FALSE(http1::check_response(101, good, key, {}, sub));
  EXPECT_EQ(http1::check_response(403, good, key, {}, sub), error::refused);
  auto wrong_accept = good;
  wrong_accept[2].second = "AAAA";
  EXPECT_EQ(http1::check_response(101, wrong_accept, key, {}, sub), error::bad_handshake_response);
  auto no_upgrade = good;
  no_upgrade[0].second = "h2c";
  EXPECT_EQ(http1::check_response(101, no_upgrade, key, {}, sub), error::bad_handshake_response);
  auto with_sub = good;
  with_sub.emplace_back("sec-websocket-protocol", "mqtt");
  sub.clear();
  EXPECT_EQ(http1::check_response(101, with_sub, key, {"chat"}, sub),
            error::unexpected_subprotocol);

  // The head ends where the websocket bytes begin, even in the same read.
  http1::response_reader reader;
  std::string wire =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: x\r\n\r\n\x81\x02hi";
  boost::system::error_code ec;
  auto used = reader.put({reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()}, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.status(), 101u);
  EXPECT_EQ(wire.substr(used), "\x81\x02hi");

  // The same head fed one byte at a time (a proxy's answer is read that way).
  http1::response_reader slow;
  std::size_t head = 0;
  for (std::size_t i = 0; i < wire.size() && !slow.done(); ++i) {
    head += slow.put({reinterpret_cast<const std::uint8_t*>(wire.data()) + i, 1}, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  EXPECT_TRUE(slow.done());
  EXPECT_EQ(head, used);
  EXPECT_EQ(slow.status(), 101u);
}

}  // namespace
}  // namespace h2ws::test
