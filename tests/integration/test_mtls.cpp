// Mutual TLS against the project's own server: the server asks for client certificates
// (server_options::tls_client_ca_file), the client presents one (options::cert_file and
// key_file) or brings its own TLS context (options::ssl_context).
#include "test_support.hpp"
#include "tls_certs.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

namespace h2ws::test {
namespace {

// A server certificate, a client CA with a client certificate it issued, and another CA
// with a certificate of its own.
struct pki {
  cert_files server = make_self_signed({"localhost"}, {"127.0.0.1"});
  cert_files client_ca = make_self_signed({"client-ca.example"}, {});
  cert_files client = make_issued(client_ca, "alice");
  cert_files other_ca = make_self_signed({"other-ca.example"}, {});
  cert_files stranger = make_issued(other_ca, "mallory");
};

server_options mtls_server(const pki& p, trace_recorder* trace, bool require = true) {
  server_options o;
  o.tls_cert_file = p.server.cert;
  o.tls_key_file = p.server.key;
  o.tls_client_ca_file = p.client_ca.cert;
  o.tls_require_client_cert = require;
  if (trace) o.limits.trace = trace->sink();
  return o;
}

std::string wss_url(server_fixture& f) {
  return "wss://127.0.0.1:" + std::to_string(f.srv().port()) + "/echo";
}

// Client options trusting the test server, with `client` as the client certificate (or none).
options client_options(const pki& p, const cert_files* client) {
  auto opts = test_options();
  opts.ca_file = p.server.cert;
  if (client) {
    opts.cert_file = client->cert;
    opts.key_file = client->key;
  }
  return opts;
}

asio::awaitable<void> expect_echo(connection& conn) {
  auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
  co_await ws.send(message::text("mutual"), asio::use_awaitable);
  auto m = co_await ws.receive(asio::use_awaitable);
  EXPECT_EQ(m.text(), "mutual");
  co_await ws.close(close_code::normal, "", asio::use_awaitable);
}

bool is_tls_error(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category();
}

// Verifies that a client certificate issued by the CA the server trusts gets through.
TEST(Mtls, ClientCertificateFromTrustedCaConnects) {
  pki p;
  trace_recorder server_trace;
  server_fixture f(mtls_server(p, &server_trace));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await connection::connect(ex, wss_url(f), client_options(p, &p.client),
                                             asio::use_awaitable);
    co_await expect_echo(conn);
  });
  EXPECT_FALSE(server_trace.contains("TLS handshake with client failed"));
}

// Verifies that a client without a certificate is refused at the TLS handshake: connect
// fails with the server's TLS alert (not a later "connection lost"), and the server
// refused the handshake.
TEST(Mtls, NoClientCertificateIsRefusedAtHandshake) {
  pki p;
  trace_recorder server_trace;
  server_fixture f(mtls_server(p, &server_trace));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    trace_recorder client_trace;
    auto opts = client_options(p, nullptr);
    opts.trace = client_trace.sink();
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
    EXPECT_NE(ec.message().find("certificate required"), std::string::npos) << ec.message();
    EXPECT_TRUE(client_trace.contains("the server asked for a client certificate (we have none)"));
  });
  EXPECT_TRUE(server_trace.contains("TLS handshake with client failed"));
  EXPECT_TRUE(server_trace.contains("peer did not return a certificate"));
}

// Verifies the same through the HTTP/1.1 Upgrade path (the fallback's carrier): the
// server's alert arrives while the client waits for the 101, and is reported as it is.
TEST(Mtls, NoClientCertificateIsRefusedOverHttp1) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto opts = client_options(p, nullptr);
    opts.force_http1 = true;
    auto [ec, ws] =
        co_await h2ws::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
    EXPECT_NE(ec.message().find("certificate required"), std::string::npos) << ec.message();

    // With the certificate, the same path works.
    auto good = client_options(p, &p.client);
    good.force_http1 = true;
    auto ws2 = co_await h2ws::connect(ex, wss_url(f), good, asio::use_awaitable);
    EXPECT_EQ(ws2.http_version(), 1);
    co_await ws2.send(message::text("h1"), asio::use_awaitable);
    EXPECT_EQ((co_await ws2.receive(asio::use_awaitable)).text(), "h1");
    co_await ws2.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies that a certificate issued by another CA is refused at the TLS handshake.
TEST(Mtls, ClientCertificateFromAnotherCaIsRefused) {
  pki p;
  trace_recorder server_trace;
  server_fixture f(mtls_server(p, &server_trace));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, c] = co_await connection::connect(ex, wss_url(f), client_options(p, &p.stranger),
                                                asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
    EXPECT_NE(ec.message().find("unknown ca"), std::string::npos) << ec.message();
  });
  EXPECT_TRUE(server_trace.contains("certificate verify failed"));
}

// Verifies that with TLS 1.2 (where the server's verdict is part of the handshake) a
// missing certificate fails the handshake itself.
TEST(Mtls, NoClientCertificateIsRefusedWithTls12) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_max_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->load_verify_file(p.server.cert);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    const unsigned char h2[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx->native_handle(), h2, sizeof h2);
    trace_recorder client_trace;
    auto opts = test_options();
    opts.ssl_context = ctx;
    opts.trace = client_trace.sink();
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);
    EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
    EXPECT_TRUE(client_trace.contains("! TLS handshake failed")) << ec.message();
  });
}

// Verifies that an optional client certificate (tls_require_client_cert off) lets clients
// without one in, and still refuses one from another CA.
TEST(Mtls, OptionalClientCertificate) {
  pki p;
  server_fixture f(mtls_server(p, nullptr, /*require=*/false));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto without = co_await connection::connect(ex, wss_url(f), client_options(p, nullptr),
                                                asio::use_awaitable);
    co_await expect_echo(without);
    auto with = co_await connection::connect(ex, wss_url(f), client_options(p, &p.client),
                                             asio::use_awaitable);
    co_await expect_echo(with);
    auto [ec, c] = co_await connection::connect(ex, wss_url(f), client_options(p, &p.stranger),
                                                asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(is_tls_error(ec)) << ec.message();
  });
}

// Verifies that a TLS context of the caller's own is used as it is: with ALPN h2, its
// trust store and its client certificate it connects (ca_file and cert_file stay empty).
TEST(Mtls, CallerSuppliedContextIsUsed) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->load_verify_file(p.server.cert);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    ctx->use_certificate_chain_file(p.client.cert);
    ctx->use_private_key_file(p.client.key, asio::ssl::context::pem);
    const unsigned char h2[] = {2, 'h', '2'};
    EXPECT_EQ(SSL_CTX_set_alpn_protos(ctx->native_handle(), h2, sizeof h2), 0);
    auto opts = test_options();
    opts.ssl_context = ctx;
    auto conn = co_await connection::connect(ex, wss_url(f), opts, asio::use_awaitable);
    co_await expect_echo(conn);

    // The context really is the one used: without ALPN, the server picks no h2.
    auto bare = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    bare->load_verify_file(p.server.cert);
    bare->set_verify_mode(asio::ssl::verify_peer);
    bare->use_certificate_chain_file(p.client.cert);
    bare->use_private_key_file(p.client.key, asio::ssl::context::pem);
    opts.ssl_context = bare;
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::no_h2_alpn) << ec.message();
  });
}

// Verifies that the caller's context keeps verification in the caller's hands, with
// h2ws's host-name check on top: a context that trusts nothing fails verification.
TEST(Mtls, CallerSuppliedContextVerifies) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    auto opts = test_options();
    opts.ssl_context = ctx;
    auto [ec, c] =
        co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
    EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();
  });
}

// Verifies that contradictory or incomplete TLS options are refused before connecting.
TEST(Mtls, BadClientTlsOptionsFailClearly) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto connect = [&](options opts) -> asio::awaitable<boost::system::error_code> {
      auto [ec, c] =
          co_await connection::connect(ex, wss_url(f), opts, asio::as_tuple(asio::use_awaitable));
      co_return ec;
    };
    trace_recorder trace;
    auto cert_only = client_options(p, &p.client);
    cert_only.key_file.clear();
    cert_only.trace = trace.sink();
    EXPECT_EQ(co_await connect(cert_only), boost::system::errc::invalid_argument);
    EXPECT_TRUE(trace.contains("needs both cert_file and key_file"));

    auto both = client_options(p, nullptr);  // ca_file set
    both.ssl_context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    EXPECT_EQ(co_await connect(both), boost::system::errc::invalid_argument);

    auto mismatched = client_options(p, &p.client);
    mismatched.key_file = p.stranger.key;  // another certificate's key
    auto ec = co_await connect(mismatched);
    EXPECT_TRUE(is_tls_error(ec)) << ec.message();
    EXPECT_NE(ec.message().find("key values mismatch"), std::string::npos) << ec.message();

    auto missing = client_options(p, &p.client);
    missing.cert_file = "/nonexistent/h2ws-client.pem";
    EXPECT_TRUE(co_await connect(missing));
  });
}

// Verifies that the server refuses tls_require_client_cert without a CA to check against.
TEST(Mtls, RequireWithoutCaFailsToListen) {
  pki p;
  asio::io_context ioc;
  server_options o;
  o.tls_cert_file = p.server.cert;
  o.tls_key_file = p.server.key;
  o.tls_require_client_cert = true;
  server s(ioc.get_executor(), o, h2ws::echo);
  EXPECT_EQ(s.listen("127.0.0.1", 0), boost::system::errc::invalid_argument);
}

// Verifies that h2ws::client does not hand a connection made with one client
// certificate to a websocket asked for without one.
TEST(Mtls, PoolKeepsClientIdentitiesApart) {
  pki p;
  server_fixture f(mtls_server(p, nullptr));
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    client pool(ex);
    auto ws =
        co_await pool.open_websocket(wss_url(f), client_options(p, &p.client), asio::use_awaitable);
    auto [ec, anonymous] = co_await pool.open_websocket(wss_url(f), client_options(p, nullptr),
                                                        asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(is_tls_error(ec)) << "reused the certificate's connection: " << ec.message();
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

}  // namespace
}  // namespace h2ws::test
