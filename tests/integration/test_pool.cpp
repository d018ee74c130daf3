// h2ws::client: one HTTP/2 connection per origin, more when the server limits streams,
// a fresh one after GOAWAY, idle ones dropped, origins without RFC 8441 remembered.
#include "python_peer.hpp"
#include "test_support.hpp"

#include <set>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

using boost::system::error_code;

// Starts `n` opens at once through the pool and waits for all of them.
asio::awaitable<std::vector<websocket>> open_many(client& pool, std::string url, int n,
                                                  options opts = test_options()) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<websocket> opened;
  int done = 0;
  asio::steady_timer all_done(ex, std::chrono::seconds(30));
  for (int i = 0; i < n; ++i)
    pool.open_websocket(url, opts, [&](error_code ec, websocket ws) {
      EXPECT_FALSE(ec) << ec.message();
      if (!ec) opened.push_back(std::move(ws));
      if (++done == n) all_done.cancel();
    });
  co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  EXPECT_EQ(done, n) << "opens did not complete in time";
  co_return opened;
}

asio::awaitable<void> expect_echo(websocket& ws, std::string text) {
  co_await ws.send(message::text(text), asio::use_awaitable);
  EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), text);
}

std::size_t count_stream_one(const std::vector<websocket>& sockets) {
  std::size_t n = 0;
  for (auto& ws : sockets) n += ws.stream_id() == 1;
  return n;
}

// Verifies that 100 websockets opened at once, and a plain request beside them, share
// one connection: a single dial, and stream ids 1, 3, ... 199 all different.
TEST(Pool, HundredWebsocketsShareOneConnection) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    client pool(co_await asio::this_coro::executor);
    auto sockets = co_await open_many(pool, f.url(), 100);
    EXPECT_EQ(sockets.size(), 100u);
    EXPECT_EQ(pool.connection_count(), 1u);
    std::set<std::int32_t> ids;
    for (auto& ws : sockets) ids.insert(ws.stream_id());
    EXPECT_EQ(ids.size(), 100u);
    EXPECT_EQ(*ids.rbegin(), 199);
    http_request req;
    req.path = "/";
    auto response = co_await pool.request(f.url(), req, test_options(), asio::use_awaitable);
    EXPECT_GT(response.status, 0u);
    EXPECT_EQ(pool.connection_count(), 1u);
    co_await expect_echo(sockets.front(), "first");
    co_await expect_echo(sockets.back(), "last");
    for (auto& ws : sockets) co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a server allowing 10 concurrent streams gets a second connection for the
// 11th to 15th websocket, opened at once, and that sequential opens respect it too.
TEST(Pool, MaxConcurrentStreamsOpensAnotherConnection) {
  server_options sopts;
  sopts.max_concurrent_streams = 10;
  server_fixture f(sopts);
  f.run([&]() -> asio::awaitable<void> {
    client pool(co_await asio::this_coro::executor);
    auto sockets = co_await open_many(pool, f.url(), 15);
    EXPECT_EQ(sockets.size(), 15u);
    EXPECT_EQ(pool.connection_count(), 2u);
    EXPECT_EQ(count_stream_one(sockets), 2u) << "two connections, each starting at stream 1";
    for (auto& ws : sockets) co_await expect_echo(ws, "x");

    // Five more one by one fill the second connection; the 21st needs a third.
    for (int i = 0; i < 6; ++i)
      sockets.push_back(co_await pool.open_websocket(f.url(), test_options(), asio::use_awaitable));
    EXPECT_EQ(pool.connection_count(), 3u);
    EXPECT_EQ(count_stream_one(sockets), 3u);
    co_await expect_echo(sockets.back(), "21st");
  });
}

// Verifies that after the server's GOAWAY, the pool opens the next websocket on a fresh
// connection (to a new server on the same port), while the old websocket keeps working.
TEST(Pool, GoawayMovesNewWebsocketsToAFreshConnection) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    client pool(ex);
    auto url = f.url();  // (the port is gone from the server once it drains)
    auto old_ws = co_await pool.open_websocket(url, test_options(), asio::use_awaitable);
    EXPECT_EQ(old_ws.stream_id(), 1);
    auto port = f.srv().port();
    f.srv().drain();  // GOAWAY on the connection, and no more accepts
    co_await old_ws.ping("sync", asio::use_awaitable);  // the GOAWAY has arrived
    server successor(ex, server_options{}, h2ws::echo);
    EXPECT_FALSE(successor.listen("127.0.0.1", port));

    auto new_ws = co_await pool.open_websocket(url, test_options(), asio::use_awaitable);
    EXPECT_EQ(new_ws.stream_id(), 1) << "not a fresh connection";
    EXPECT_EQ(pool.connection_count(), 1u) << "the GOAWAY'd connection is still pooled";
    co_await expect_echo(new_ws, "new");
    co_await expect_echo(old_ws, "old");
    co_await old_ws.close(close_code::normal, "", asio::use_awaitable);
    co_await new_ws.close(close_code::normal, "", asio::use_awaitable);
    successor.stop();
  });
}

// Verifies that a moved-from client reports error::operation_aborted instead of failing
// in some worse way, for websockets and requests alike.
TEST(Pool, MovedFromClientReportsAborted) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    client pool(co_await asio::this_coro::executor);
    client taken = std::move(pool);
    auto [ec, ws] =
        co_await pool.open_websocket(f.url(), test_options(), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::operation_aborted);
    http_request req;
    auto [rec, response] =
        co_await pool.request(f.url(), req, test_options(), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(rec, error::operation_aborted);
    EXPECT_EQ(pool.connection_count(), 0u);
    auto open = co_await taken.open_websocket(f.url(), test_options(), asio::use_awaitable);
    co_await expect_echo(open, "still works");
    co_await open.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a pooled connection with nothing open is closed after idle_timeout, and
// that the next open dials again.
TEST(Pool, IdleConnectionIsDropped) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    pool_options popts;
    popts.idle_timeout = std::chrono::milliseconds(100);
    client pool(ex, popts);
    auto ws = co_await pool.open_websocket(f.url(), test_options(), asio::use_awaitable);
    co_await expect_echo(ws, "busy");
    asio::steady_timer wait(ex);
    // Busy connections stay, however long.
    wait.expires_after(std::chrono::milliseconds(300));
    co_await wait.async_wait(asio::use_awaitable);
    EXPECT_EQ(pool.connection_count(), 1u);
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
    for (int i = 0; i < 100 && pool.connection_count() > 0; ++i) {
      wait.expires_after(std::chrono::milliseconds(20));
      co_await wait.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(pool.connection_count(), 0u);
    auto again = co_await pool.open_websocket(f.url(), test_options(), asio::use_awaitable);
    EXPECT_EQ(again.stream_id(), 1);
    co_await expect_echo(again, "again");
    co_await again.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that with fallback the pool remembers an origin without RFC 8441 (a
// python3-websockets server, HTTP/1.1 only): the second open skips HTTP/2, and
// HTTP/1.1 websockets are not pooled.
TEST(Pool, FallbackOriginIsRemembered) {
  python_websockets_server peer;
  ASSERT_NE(peer.port(), 0) << peer.error();
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    client pool(co_await asio::this_coro::executor);
    trace_recorder trace;
    auto opts = test_options();
    opts.fallback = true;
    opts.trace = trace.sink();
    auto skipped = [&] { return trace.contains("skipping HTTP/2"); };
    auto url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/";
    auto first = co_await pool.open_websocket(url, opts, asio::use_awaitable);
    EXPECT_EQ(first.http_version(), 1);
    EXPECT_FALSE(skipped());
    auto second = co_await pool.open_websocket(url, opts, asio::use_awaitable);
    EXPECT_EQ(second.http_version(), 1);
    EXPECT_TRUE(skipped()) << "the second open tried HTTP/2 again";
    EXPECT_EQ(pool.connection_count(), 0u);
    co_await expect_echo(second, "over http/1.1");
    co_await second.close(close_code::normal, "", asio::use_awaitable);
  });
}

}  // namespace
}  // namespace h2ws::test
