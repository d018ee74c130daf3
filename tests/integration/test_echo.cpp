// Messages of every kind and size travel through the project's own echo server.
#include "tcp_relay.hpp"
#include "test_support.hpp"
#include "wire_checks.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<websocket> open_echo(const std::string& url, options opts = test_options()) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = co_await connection::connect(ex, url, opts, asio::use_awaitable);
  auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
  co_return ws;
}

asio::awaitable<void> expect_echo(websocket& ws, message m) {
  co_await ws.send(m, asio::use_awaitable);
  auto back = co_await ws.receive(asio::use_awaitable);
  EXPECT_EQ(back.type(), m.type());
  EXPECT_EQ(back.size(), m.size());
  EXPECT_TRUE(back == m);
}

// Verifies that text, binary and empty messages come back unchanged.
TEST(Echo, TextBinaryAndEmptyMessagesRoundTrip) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    EXPECT_TRUE(ws.is_open());
    EXPECT_EQ(ws.status(), 200u);
    co_await expect_echo(ws, message::text("hello"));
    co_await expect_echo(ws, message::binary(std::string("\x00\x01\xff\x80", 4)));
    co_await expect_echo(ws, message::text(""));
    co_await expect_echo(ws, message::binary(std::string()));
    co_await expect_echo(ws, message::text("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
    co_await ws.close(close_code::normal, "bye", asio::use_awaitable);
  });
}

// Verifies that a server listens on a host name ("localhost", resolved by listen(): its first
// address) and that a client reaches it by that name (on the one-thread variant, the
// resolver's answer comes back to an io_context that skips its socket locks).
TEST(Echo, ServerListensOnAHostName) {
  server_fixture f;
  auto named = std::make_unique<server>(f.context().get_executor(), server_options{}, h2ws::echo);
  const auto ec = named->listen("localhost", 0);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(named->port(), 0);
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo("http://localhost:" + std::to_string(named->port()) + "/echo");
    co_await expect_echo(ws, message::text("by name"));
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
    named->stop();
  });
}

// Verifies that a 1 MiB message crosses flow-control windows intact both ways.
TEST(Echo, OneMebibyteMessageRoundTrips) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto opts = test_options();
    opts.stream_window = 65535;  // force many WINDOW_UPDATE rounds
    auto ws = co_await open_echo(f.url(), opts);
    std::string payload(1024 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 + 3);
    co_await expect_echo(ws, message::binary(payload));
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that fragmented messages are reassembled, in both directions, over HTTP/2 and
// over HTTP/1.1: a relay records the connection, and the frames on the wire are those
// max_send_frame_size asks for (client: masked, at most 777 payload bytes; server: unmasked,
// at most 1000), a text or binary frame without FIN, then continuations, FIN on the last.
TEST(Echo, FragmentedMessagesAreReassembled) {
  server_options sopts;
  sopts.limits.max_send_frame_size = 1000;
  server_fixture f(sopts);
  const auto text = message::text(std::string(10'000, 'x') + "\xe2\x82\xac");
  const auto binary = message::binary(std::string(4321, '\x7f'));
  for (const int version : {2, 1}) {
    SCOPED_TRACE("HTTP/" + std::to_string(version));
    tcp_relay relay(f.context(), f.srv().port(), tcp_relay::recording::on);
    f.run([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto opts = test_options();
      opts.max_send_frame_size = 777;
      opts.force_http1 = version == 1;
      const auto url = "ws://127.0.0.1:" + std::to_string(relay.port()) + "/echo";
      auto ws = co_await h2ws::connect(ex, url, opts, asio::use_awaitable);
      EXPECT_EQ(ws.http_version(), version);
      co_await expect_echo(ws, text);
      co_await expect_echo(ws, binary);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    });
    ASSERT_EQ(relay.recorded().size(), 1u);
    const auto& bytes = *relay.recorded().front();
    const auto traffic = wire::decode_websocket(bytes.from_client, bytes.from_server);
    ASSERT_EQ(traffic.error, "");
    EXPECT_EQ(traffic.http_version, version);
    // 10,003 bytes: ceil(10003 / 777) = 13 frames, ceil(10003 / 1000) = 11; 4,321: 6 and 5.
    const auto from_client = expect_wire_frames(traffic.from_client, {{text, binary}, 777, true});
    EXPECT_EQ(from_client, (std::vector<std::size_t>{13, 6}));
    const auto from_server = expect_wire_frames(traffic.from_server, {{text, binary}, 1000, false});
    EXPECT_EQ(from_server, (std::vector<std::size_t>{11, 5}));
    // The close handshake went through the relay too: a close frame each way.
    ASSERT_FALSE(traffic.from_client.empty());
    ASSERT_FALSE(traffic.from_server.empty());
    EXPECT_EQ(traffic.from_client.back().opcode, 0x8);
    EXPECT_EQ(traffic.from_server.back().opcode, 0x8);
  }
}

// Verifies that many sends may be outstanding at once and arrive in call order.
TEST(Echo, PipelinedSendsArriveInOrder) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    constexpr int count = 500;
    int completed = 0;
    for (int i = 0; i < count; ++i)
      ws.send(message::text(std::to_string(i)), [&](boost::system::error_code ec) {
        EXPECT_FALSE(ec);
        ++completed;
      });
    for (int i = 0; i < count; ++i) {
      auto m = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(m.text(), std::to_string(i));
    }
    EXPECT_EQ(completed, count);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a send made on the strand does not overtake an earlier send made off the
// strand and still posted to it (call order, even though the one on the strand could run
// at once).
TEST(Echo, SendOnTheStrandKeepsCallOrderBehindAPostedSend) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    // Leave the strand (the coroutine was resumed from one of its handlers).
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    // Queued on the strand first, but it calls send("b") only when it runs: after send("a").
    asio::post(ws.get_executor(),
               [&ws] { ws.send(message::text("b"), [](boost::system::error_code) {}); });
    ws.send(message::text("a"), [](boost::system::error_code) {});
    auto first = co_await ws.receive(asio::use_awaitable);
    auto second = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(first.text(), "a");
    EXPECT_EQ(second.text(), "b");
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that ping() gets the server's automatic pong, and that payloads over
// 125 bytes are refused locally.
TEST(Echo, PingIsAnsweredWithPong) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    co_await ws.ping("are you there", asio::use_awaitable);
    co_await ws.ping("", asio::use_awaitable);
    auto [ec] = co_await ws.ping(std::string(126, 'p'), tuple_awaitable);
    EXPECT_EQ(ec, error::bad_control_frame);
    co_await expect_echo(ws, message::text("still fine"));
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that the server's keepalive pings are answered by the client without
// disturbing the message flow.
TEST(Echo, ServerPingsAreAnsweredAutomatically) {
  server_options sopts;
  sopts.limits.ping_interval = std::chrono::milliseconds(20);
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ws = co_await open_echo(f.url());
    for (int i = 0; i < 10; ++i) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(15));
      co_await t.async_wait(asio::use_awaitable);
      co_await expect_echo(ws, message::text("tick " + std::to_string(i)));
    }
    EXPECT_TRUE(ws.is_open());
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

}  // namespace
}  // namespace h2ws::test
