#include "net/tls.hpp"

#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>

namespace h2ws::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

// ALPN wire format: length-prefixed protocol names.
constexpr unsigned char alpn_h2[] = {2, 'h', '2'};
constexpr unsigned char alpn_h2_http1[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char alpn_http1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Finds `name` in the client's ALPN offer (length-prefixed names).
const unsigned char* find_protocol(const unsigned char* in, unsigned int inlen,
                                   std::string_view name) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == name) return in + i;
    i += 1 + len;
  }
  return nullptr;
}

int select_protocol(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                    unsigned int inlen, void*) {
  // h2 when the client offers it, else http/1.1 (the Upgrade path); a client offering
  // neither gets no protocol and is served HTTP/1.1, as one without ALPN.
  for (std::string_view name : {std::string_view("h2"), std::string_view("http/1.1")}) {
    if (const auto* p = find_protocol(in, inlen, name)) {
      *out = p + 1;
      *outlen = *p;
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

error_code make_client_context(const tls_client_settings& settings,
                               std::unique_ptr<ssl::context>& out) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return ec;
  if (!settings.ca_file.empty()) {
    ctx->load_verify_file(settings.ca_file, ec);
    if (ec) return ec;
  }
  ctx->set_verify_mode(settings.verify ? ssl::verify_peer : ssl::verify_none, ec);
  if (ec) return ec;
  const unsigned char* protos = alpn_h2;
  std::size_t size = sizeof(alpn_h2);
  if (settings.alpn == alpn_offer::h2_and_http1) {
    protos = alpn_h2_http1;
    size = sizeof(alpn_h2_http1);
  } else if (settings.alpn == alpn_offer::http1) {
    protos = alpn_http1;
    size = sizeof(alpn_http1);
  }
  if (SSL_CTX_set_alpn_protos(ctx->native_handle(), protos, static_cast<unsigned>(size)) != 0)
    return make_error_code(boost::system::errc::protocol_error);
  out = std::move(ctx);
  return {};
}

error_code make_server_context(const std::string& cert_file, const std::string& key_file,
                               std::unique_ptr<ssl::context>& out) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return ec;
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return ec;
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), select_protocol, nullptr);
  out = std::move(ctx);
  return {};
}

error_code prepare_client_stream(tls_stream& stream, const std::string& host, bool verify) {
  error_code ec;
  asio::ip::make_address(host, ec);
  bool is_ip = !ec;
  // SNI carries names only (RFC 6066 3); IP literals are verified against the SAN below.
  if (!is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
    return make_error_code(boost::system::errc::invalid_argument);
  if (verify) {
    stream.set_verify_callback(ssl::host_name_verification(host), ec);
    if (ec) return ec;
  }
  return {};
}

std::string selected_alpn(tls_stream& stream) {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(stream.native_handle(), &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

}  // namespace h2ws::net
