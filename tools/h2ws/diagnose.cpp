#include "diagnose.hpp"

#include <array>
#include <optional>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace h2ws::cli {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<bool> dial(tcp::socket& socket, const std::string& host, std::uint16_t port) {
  tcp::resolver resolver(socket.get_executor());
  auto [rec, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), tuple_awaitable);
  if (rec) co_return false;
  auto [cec, endpoint] = co_await asio::async_connect(socket, endpoints, tuple_awaitable);
  co_return !cec;
}

// Runs `probe` on an io_context of its own for at most `limit`; then closes `socket`, which
// ends whatever the probe still waits for.
template <class Probe>
void run_bounded(asio::io_context& ioc, tcp::socket& socket, Probe probe,
                 std::chrono::milliseconds limit) {
  bool done = false;
  asio::co_spawn(ioc, std::move(probe), [&done](std::exception_ptr) { done = true; });
  ioc.run_for(limit);
  if (!done) {
    boost::system::error_code ignored;
    socket.close(ignored);
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

port_speaks probe_cleartext(const std::string& host, std::uint16_t port,
                            std::chrono::milliseconds limit) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  port_speaks found = port_speaks::unknown;
  auto probe = [&]() -> asio::awaitable<void> {
    if (!co_await dial(socket, host, port)) co_return;
    // The client preface and an empty SETTINGS frame.
    static constexpr std::string_view hello(
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00", 33);
    auto [wec, written] = co_await asio::async_write(socket, asio::buffer(hello), tuple_awaitable);
    if (wec) co_return;
    std::array<unsigned char, 9> head{};
    // Up to 9 bytes: what arrives before the server closes counts too.
    auto [rec, n] = co_await asio::async_read(socket, asio::buffer(head), tuple_awaitable);
    if (n == 0) co_return;
    if (n == head.size() && head[3] == 0x04 && head[4] == 0x00 &&
        (head[5] | head[6] | head[7] | head[8]) == 0) {
      found = port_speaks::cleartext_http2;  // SETTINGS on stream 0
    } else if (n >= 7 &&
               std::string_view(reinterpret_cast<const char*>(head.data()), 7) == "HTTP/1.") {
      found = port_speaks::cleartext_http1;
    } else if (!(head[0] >= 0x14 && head[0] <= 0x17 && (n < 2 || head[1] == 0x03))) {
      found = port_speaks::cleartext;  // not a TLS record (alert, handshake, ...)
    }
  };
  run_bounded(ioc, socket, probe(), limit);
  return found;
}

certificate_check check_certificate(const std::string& host, std::uint16_t port,
                                    const std::string& ca_file, std::chrono::milliseconds limit) {
  certificate_check out;
  boost::system::error_code ec;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths(ec);
  if (!ca_file.empty()) ctx.load_verify_file(ca_file, ec);
  // No verification during the handshake: it completes, and the result is read afterwards.
  ctx.set_verify_mode(ssl::verify_none, ec);
  asio::io_context ioc;
  ssl::stream<tcp::socket> stream(ioc, ctx);
  SSL* native = stream.native_handle();
  asio::ip::make_address(host, ec);
  const bool is_ip = !ec;
  // The name check as part of the chain verification, as the client's check does it.
  X509_VERIFY_PARAM* param = SSL_get0_param(native);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(native, host.c_str());
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  auto probe = [&]() -> asio::awaitable<void> {
    if (!co_await dial(stream.next_layer(), host, port)) co_return;
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
    if (hec) co_return;
    out.handshake_done = true;
    const long result = SSL_get_verify_result(native);
    out.trusted = result == X509_V_OK;
    out.name_mismatch =
        result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH;
    out.reason = X509_verify_cert_error_string(result);
  };
  run_bounded(ioc, stream.next_layer(), probe(), limit);
  return out;
}

}  // namespace h2ws::cli
