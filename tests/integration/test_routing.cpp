// Routes, the accept step and plain HTTP handlers of the server, over HTTP/2 and HTTP/1.1.
#include "test_support.hpp"

#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string header_of(const header_list& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

// A handler that sends one message naming its route, then echoes.
std::function<void(websocket)> greeter(std::string name) {
  return [name](websocket ws) {
    auto shared = std::make_shared<websocket>(std::move(ws));
    shared->send(message::text(name), [shared](boost::system::error_code) {});
    echo(std::move(*shared));
  };
}

server_options routed_options(std::vector<handshake_request>& seen) {
  server_options sopts;
  sopts.paths = {};
  route chat;
  chat.path = "/chat";
  chat.subprotocols = {"chat.v2", "chat.v1"};
  chat.handler = greeter("chat");
  chat.accept = [&seen](const handshake_request& r) {
    seen.push_back(r);
    handshake_answer a;
    if (r.query() != "token=good") {
      a.status = 401;
      a.headers.emplace_back("www-authenticate", "Bearer realm=\"h2ws\"");
      a.body = "log in first\n";
      return a;
    }
    a.headers.emplace_back("set-cookie", "session=42");
    return a;
  };
  route rooms;
  rooms.path = "/rooms/";
  rooms.prefix = true;
  rooms.handler = greeter("rooms");
  sopts.routes = {chat, rooms};
  return sopts;
}

asio::awaitable<void> check_routes(server_fixture& f, options opts, int version,
                                   std::vector<handshake_request>& seen) {
  auto ex = co_await asio::this_coro::executor;
  websocket_request request;
  request.path = "/chat?token=good";
  request.subprotocols = {"chat.v1", "chat.v2"};
  auto ws = co_await h2ws::connect(ex, f.url(), request, opts, asio::use_awaitable);
  EXPECT_EQ(ws.http_version(), version);
  EXPECT_EQ(ws.subprotocol(), "chat.v2");  // the route's preference
  EXPECT_EQ(header_of(ws.handshake_headers(), "set-cookie"), "session=42");
  auto first = co_await ws.receive(asio::use_awaitable);
  EXPECT_EQ(first.text(), "chat");
  EXPECT_FALSE(seen.empty());
  if (seen.empty()) co_return;
  EXPECT_EQ(seen.back().http_version, version);
  EXPECT_EQ(seen.back().peer.rfind("127.0.0.1:", 0), 0u) << seen.back().peer;
  EXPECT_EQ(seen.back().query(), "token=good");

  request.path = "/chat?token=bad";
  auto [ec, refused] = co_await h2ws::connect(ex, f.url(), request, opts, tuple_awaitable);
  EXPECT_EQ(ec, error::refused);
  EXPECT_EQ(refused.status(), 401u);
  EXPECT_EQ(header_of(refused.handshake_headers(), "www-authenticate"), "Bearer realm=\"h2ws\"");

  request.path = "/rooms/7/lobby";
  request.subprotocols.clear();
  auto room = co_await h2ws::connect(ex, f.url(), request, opts, asio::use_awaitable);
  auto hello = co_await room.receive(asio::use_awaitable);
  EXPECT_EQ(hello.text(), "rooms");

  request.path = "/echo";  // not served: paths is empty and no route matches
  auto [ec404, none] = co_await h2ws::connect(ex, f.url(), request, opts, tuple_awaitable);
  EXPECT_EQ(ec404, error::refused);
  EXPECT_EQ(none.status(), 404u);
}

// Verifies exact and prefix routes with their own handlers and subprotocols, and an
// accept step that sees the query and the peer and answers 401 with www-authenticate or
// accepts with set-cookie, over RFC 8441.
TEST(Routing, RoutesAndTheAcceptStepOverHttp2) {
  std::vector<handshake_request> seen;
  server_fixture f(routed_options(seen));
  f.run([&]() -> asio::awaitable<void> { co_await check_routes(f, test_options(), 2, seen); });
}

// Verifies the same over an HTTP/1.1 Upgrade (101 with set-cookie, 401 with its header).
TEST(Routing, RoutesAndTheAcceptStepOverHttp1) {
  std::vector<handshake_request> seen;
  server_fixture f(routed_options(seen));
  auto opts = test_options();
  opts.force_http1 = true;
  f.run([&]() -> asio::awaitable<void> { co_await check_routes(f, opts, 1, seen); });
}

// The server's websocket keeps the request's header fields for handshake_headers() in a
// packed form and makes the list at the first call. Verifies that every field comes back
// as sent, in order, a repeated name twice and a value long enough for a two-byte length
// included, read by two threads at once, over RFC 8441 and over HTTP/1.1.
void check_request_headers_kept(bool http1) {
  const std::string long_value(300, 'v');
  route headers_route;
  headers_route.path = "/echo";
  headers_route.handler = [long_value](websocket ws) {
    header_list a, b;
    std::thread other([&] { a = ws.handshake_headers(); });
    b = ws.handshake_headers();
    other.join();
    std::string summary = a == b ? "same" : "different";
    std::string repeated;
    for (const auto& [name, value] : b) {
      if (name == "x-long") summary += value == long_value ? " long" : " long-mangled";
      if (name == "x-repeated") repeated += value;
      if (name == ":path") summary += " " + value;
    }
    summary += " " + repeated;
    auto shared = std::make_shared<websocket>(std::move(ws));
    shared->send(message::text(summary), [shared](boost::system::error_code) {});
  };
  server_options sopts;
  sopts.paths = {};
  sopts.routes = {headers_route};
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    websocket_request request;
    request.path = "/echo?q=1";
    request.headers = {{"x-repeated", "1"}, {"x-long", long_value}, {"x-repeated", "2"}};
    auto opts = test_options();
    opts.force_http1 = http1;
    auto ws = co_await h2ws::connect(ex, f.url(), request, opts, asio::use_awaitable);
    auto summary = co_await ws.receive(asio::use_awaitable);
    EXPECT_EQ(summary.text(), "same /echo?q=1 long 12");
    EXPECT_FALSE(ws.handshake_headers().empty());
  });
}

TEST(Routing, RequestHeadersAreKeptForTheServersWebsocketOverHttp2) {
  check_request_headers_kept(false);
}

TEST(Routing, RequestHeadersAreKeptForTheServersWebsocketOverHttp1) {
  check_request_headers_kept(true);
}

// Verifies that plain requests reach http_handler with method, target, headers and body,
// and that its status, headers and body reach the client.
TEST(Routing, PlainRequestsReachTheHttpHandler) {
  server_options sopts;
  sopts.http_handler = [](const http_request& r) {
    http_response out;
    out.status = r.method == "POST" ? 201 : 200;
    out.headers.emplace_back("content-type", "application/json");
    out.headers.emplace_back("x-seen-path", r.path);
    out.body = "{\"method\":\"" + r.method + "\",\"body\":\"" + r.body + "\"}";
    return out;
  };
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, f.url(), test_options(), asio::use_awaitable);
    http_request post;
    post.method = "POST";
    post.path = "/api/items?x=1";
    post.body = "hello";
    auto answer = co_await conn.request(post, asio::use_awaitable);
    EXPECT_EQ(answer.status, 201u);
    EXPECT_EQ(header_of(answer.headers, "content-type"), "application/json");
    EXPECT_EQ(header_of(answer.headers, "x-seen-path"), "/api/items?x=1");
    EXPECT_EQ(answer.body, "{\"method\":\"POST\",\"body\":\"hello\"}");
    http_request get;
    get.path = "/";
    auto page = co_await conn.request(get, asio::use_awaitable);
    EXPECT_EQ(page.status, 200u);
    EXPECT_EQ(page.body, "{\"method\":\"GET\",\"body\":\"\"}");
  });
}

}  // namespace
}  // namespace h2ws::test
