// Plain HTTP requests share the connection with open websockets.
#include "test_support.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

std::string header_value(const http_response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

// Verifies that GET, HEAD and POST requests get complete answers on the same
// connection as an open websocket, which keeps working throughout.
TEST(HttpRequests, PlainRequestsBesideWebsockets) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);

    http_request get;
    get.path = "/";
    auto page = co_await conn.request(get, asio::use_awaitable);
    EXPECT_EQ(page.status, 200u);
    EXPECT_NE(page.body.find("RFC 8441"), std::string::npos) << page.body;
    EXPECT_EQ(header_value(page, "content-length"), std::to_string(page.body.size()));

    co_await ws.send(message::text("between requests"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "between requests");

    http_request missing;
    missing.path = "/missing";
    auto not_found = co_await conn.request(missing, asio::use_awaitable);
    EXPECT_EQ(not_found.status, 404u);

    http_request head;
    head.method = "HEAD";
    head.path = "/";
    auto head_answer = co_await conn.request(head, asio::use_awaitable);
    EXPECT_EQ(head_answer.status, 200u);
    EXPECT_TRUE(head_answer.body.empty());

    http_request post;
    post.method = "POST";
    post.path = "/upload";
    post.body = std::string(200'000, 'b');  // larger than one window: flow control on a request
    auto posted = co_await conn.request(post, asio::use_awaitable);
    EXPECT_EQ(posted.status, 404u);

    // A plain GET on the websocket path is not a websocket: 404, not a reset.
    http_request get_echo;
    get_echo.path = "/echo";
    EXPECT_EQ((co_await conn.request(get_echo, asio::use_awaitable)).status, 404u);

    co_await ws.send(message::text("still open"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "still open");
    EXPECT_EQ(f.srv().open_websockets(), 1u);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that several websockets and requests interleave on one connection
// (proxies have shipped where only the first websocket per connection worked).
TEST(HttpRequests, InterleavedWebsocketsAndRequests) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    std::vector<websocket> sockets;
    http_request get;
    get.path = "/";
    for (int i = 0; i < 5; ++i) {
      sockets.push_back(co_await conn.open_websocket("/echo", asio::use_awaitable));
      EXPECT_EQ((co_await conn.request(get, asio::use_awaitable)).status, 200u);
    }
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      co_await sockets[i].send(message::text(std::to_string(i)), asio::use_awaitable);
      EXPECT_EQ((co_await sockets[i].receive(asio::use_awaitable)).text(), std::to_string(i));
    }
  });
}

}  // namespace
}  // namespace h2ws::test
