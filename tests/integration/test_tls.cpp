// wss:// against the project's own TLS server: verification on by default.
#include "test_support.hpp"
#include "tls_certs.hpp"

#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

server_options tls_server(const cert_files& files) {
  server_options o;
  o.tls_cert_file = files.cert;
  o.tls_key_file = files.key;
  return o;
}

std::string wss_url(server_fixture& f, const std::string& host = "127.0.0.1") {
  return "wss://" + host + ":" + std::to_string(f.srv().port()) + "/echo";
}

// Verifies that a websocket over TLS (ALPN h2) works when the server's
// certificate is trusted through options::ca_file, by IP and by host name.
TEST(Tls, TrustedCertificateEchoes) {
  auto files = make_self_signed({"localhost"}, {"127.0.0.1"});
  server_fixture f(tls_server(files));
  for (std::string host : {"127.0.0.1", "localhost"}) {
    f.run([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto opts = test_options();
      opts.ca_file = files.cert;
      auto conn = co_await connection::connect(ex, wss_url(f, host), opts, asio::use_awaitable);
      auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
      co_await ws.send(message::text("over tls"), asio::use_awaitable);
      auto m = co_await ws.receive(asio::use_awaitable);
      EXPECT_EQ(m.text(), "over tls");
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    });
  }
}

// Verifies that 2,000 small messages sent at once over TLS come back whole and in order,
// over ALPN h2 and over HTTP/1.1: reads of a TLS record (up to 16 KiB) of messages each,
// whose answers are written while the next records come in.
TEST(Tls, ManySmallMessagesComeBackInOrder) {
  auto files = make_self_signed({"localhost"}, {"127.0.0.1"});
  server_fixture f(tls_server(files));
  for (bool h1 : {false, true}) {
    f.run([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto opts = test_options();
      opts.ca_file = files.cert;
      opts.force_http1 = h1;
      auto ws = co_await h2ws::connect(ex, wss_url(f), opts, asio::use_awaitable);
      EXPECT_EQ(ws.http_version(), h1 ? 1 : 2);
      constexpr int count = 2000;
      auto payload = [](int i) { return std::to_string(i) + std::string(100, 'x'); };
      std::vector<message> batch;
      for (int i = 0; i < count; ++i) batch.push_back(message::binary(payload(i)));
      co_await ws.send_batch(std::move(batch), asio::use_awaitable);
      int received = 0;
      std::vector<message> storage;
      while (received < count) {
        storage = co_await ws.receive_batch(std::move(storage), count, asio::use_awaitable);
        for (auto& m : storage) {
          EXPECT_EQ(std::string(m.text()), payload(received)) << (h1 ? "HTTP/1.1" : "HTTP/2");
          ++received;
        }
      }
      EXPECT_EQ(received, count);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    });
  }
}

// Verifies that a self-signed certificate without ca_file fails verification.
TEST(Tls, UntrustedCertificateFailsVerification) {
  auto files = make_self_signed({"localhost"}, {"127.0.0.1"});
  server_fixture f(tls_server(files));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, c] = co_await connection::connect(ex, wss_url(f), test_options(),
                                                asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
    EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();
  });
}

// Verifies that a trusted certificate for another host name is refused.
TEST(Tls, WrongHostNameFailsVerification) {
  auto files = make_self_signed({"other.example"}, {});
  server_fixture f(tls_server(files));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.ca_file = files.cert;
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();
  });
}

// Verifies that insecure mode (explicit) connects despite an untrusted certificate.
TEST(Tls, InsecureSkipsVerificationOnlyWhenAsked) {
  auto files = make_self_signed({"other.example"}, {});
  server_fixture f(tls_server(files));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.insecure = true;
    auto conn = co_await connection::connect(ex, wss_url(f), opts, asio::use_awaitable);
    auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
    EXPECT_TRUE(ws.is_open());
  });
}

// Verifies that a TLS client talking to a cleartext server fails fast, not hangs.
TEST(Tls, TlsAgainstCleartextServerFails) {
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = test_options();
    opts.connect_timeout = std::chrono::seconds(3);
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
  });
}

}  // namespace
}  // namespace h2ws::test
