// Opening websockets: refusals, missing RFC 8441 support, subprotocols, bad URLs.
#include "test_support.hpp"

#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Verifies that a CONNECT to a path the server does not serve fails with
// error::refused and the websocket handle tells the 404.
TEST(Handshake, UnknownPathIsRefusedWith404) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto [ec, ws] = co_await conn.open_websocket("/nowhere", tuple_awaitable);
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(ec, condition::handshake_failed);
    EXPECT_EQ(ws.status(), 404u);
    EXPECT_FALSE(ws.is_open());
    // The connection is still good for other streams.
    auto ok = co_await conn.open_websocket("/echo", asio::use_awaitable);
    EXPECT_TRUE(ok.is_open());
  });
}

// Verifies that a server's 403 reaches the application with its status.
TEST(Handshake, ForbiddenIsRefusedWith403) {
  server_options sopts;
  sopts.authorize = [](const handshake_request& r) -> unsigned {
    for (const auto& [n, v] : r.headers)
      if (n == "authorization" && v == "Bearer good") return 200;
    return 403;
  };
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto [ec, ws] = co_await conn.open_websocket("/echo", tuple_awaitable);
    EXPECT_EQ(ec, error::refused);
    EXPECT_EQ(ws.status(), 403u);
    // (Requests with braced lists are built outside co_await: GCC 12 miscompiles
    // initializer_list temporaries inside coroutines.)
    websocket_request with_token{.path = "/echo"};
    with_token.headers.emplace_back("Authorization", "Bearer good");
    auto [ec2, ws2] = co_await conn.open_websocket(with_token, tuple_awaitable);
    EXPECT_FALSE(ec2) << ec2.message();
    EXPECT_TRUE(ws2.is_open());
  });
}

// Verifies that a server without SETTINGS_ENABLE_CONNECT_PROTOCOL=1 gives
// error::no_extended_connect at once, without sending a CONNECT.
TEST(Handshake, ServerWithoutRfc8441IsReportedClearly) {
  server_options sopts;
  sopts.enable_connect_protocol = false;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    EXPECT_FALSE(conn.supports_websockets());
    auto [ec, ws] = co_await conn.open_websocket("/echo", tuple_awaitable);
    EXPECT_EQ(ec, error::no_extended_connect);
    EXPECT_EQ(ws.status(), 0u);
  });
}

// Verifies that the server's choice among offered subprotocols is reported, and
// that no subprotocol is selected when none matches.
TEST(Handshake, SubprotocolIsNegotiated) {
  server_options sopts;
  sopts.subprotocols = {"chat.v2", "chat.v1"};
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    websocket_request both{.path = "/echo"};
    both.subprotocols.push_back("chat.v1");
    both.subprotocols.push_back("chat.v2");
    auto ws = co_await conn.open_websocket(both, asio::use_awaitable);
    EXPECT_EQ(ws.subprotocol(), "chat.v2");
    websocket_request other{.path = "/echo"};
    other.subprotocols.push_back("mqtt");
    auto none = co_await conn.open_websocket(other, asio::use_awaitable);
    EXPECT_EQ(none.subprotocol(), "");
  });
}

// Verifies that the server sees exactly the headers RFC 8441 asks for, plus ours.
TEST(Handshake, RequestCarriesRfc8441Headers) {
  handshake_request seen;
  server_options sopts;
  sopts.authorize = [&](const handshake_request& r) -> unsigned {
    seen = r;
    return 200;
  };
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url("/echo?room=1"), test_options(),
                                             asio::use_awaitable);
    websocket_request request{.path = ""};
    request.subprotocols.push_back("a");
    request.subprotocols.push_back("b");
    request.headers.emplace_back("X-Trace", "42");
    request.headers.emplace_back("Host", "evil");
    auto ws = co_await conn.open_websocket(request, asio::use_awaitable);
    EXPECT_TRUE(ws.is_open());
  });
  EXPECT_EQ(seen.path, "/echo?room=1");  // the URL's path and query are the default :path
  std::map<std::string, std::string> h;
  for (const auto& [n, v] : seen.headers) h[n] = v;
  EXPECT_EQ(h[":method"], "CONNECT");
  EXPECT_EQ(h[":protocol"], "websocket");
  EXPECT_EQ(h[":scheme"], "http");
  EXPECT_EQ(h[":authority"], "127.0.0.1:" + std::to_string(f.srv().port()));
  EXPECT_EQ(h["sec-websocket-version"], "13");
  EXPECT_EQ(h["sec-websocket-protocol"], "a, b");
  EXPECT_EQ(h["x-trace"], "42");
  EXPECT_EQ(h.count("host"), 0u);
  EXPECT_EQ(h.count("sec-websocket-key"), 0u);
}

// Verifies that malformed URLs and unreachable servers fail with specific errors.
TEST(Handshake, BadUrlAndClosedPortFail) {
  server_fixture f;
  // A port that was free a moment ago: nobody listens there now.
  std::uint16_t closed_port = [&] {
    asio::ip::tcp::acceptor a(f.context(), {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  }();
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto [ec1, c1] =
        co_await connection::connect(ex, "ftp://127.0.0.1/echo", test_options(), tuple_awaitable);
    EXPECT_EQ(ec1, error::bad_url);
    auto [ec2, c2] = co_await connection::connect(ex, "not a url", test_options(), tuple_awaitable);
    EXPECT_EQ(ec2, error::bad_url);
    auto [ec3, c3] =
        co_await connection::connect(ex, "ws://127.0.0.1:" + std::to_string(closed_port) + "/echo",
                                     test_options(), tuple_awaitable);
    EXPECT_EQ(ec3, asio::error::connection_refused) << ec3.message();
    auto [ec4, ws] = co_await c3.open_websocket("/echo", tuple_awaitable);
    EXPECT_EQ(ec4, error::connection_closed);
  });
}

// Verifies that a server that accepts TCP but never speaks HTTP/2 hits the
// connect timeout instead of hanging.
TEST(Handshake, SilentServerTimesOut) {
  server_fixture f;
  asio::ip::tcp::acceptor silent(f.context(), {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket accepted(f.context());
  silent.async_accept(accepted, [](boost::system::error_code) {});
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.connect_timeout = std::chrono::milliseconds(300);
    auto [ec, c] = co_await connection::connect(
        ex, "ws://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/", opts,
        tuple_awaitable);
    EXPECT_EQ(ec, error::timeout);
  });
}

}  // namespace
}  // namespace h2ws::test
