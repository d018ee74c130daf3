#include "net/tls.hpp"

#include <h2ws/server.hpp>

#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/err.h>
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

// The last OpenSSL error as an error_code of asio's ssl category (what asio reports).
error_code last_openssl_error() {
  const auto e = ERR_get_error();
  ERR_clear_error();
  return e ? error_code(static_cast<int>(e), asio::error::get_ssl_category())
           : make_error_code(boost::system::errc::invalid_argument);
}

// Loads a certificate chain and its private key, and checks that they belong together.
error_code use_certificate(ssl::context& ctx, const std::string& cert_file,
                           const std::string& key_file) {
  error_code ec;
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec) return ec;
  ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return ec;
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) return last_openssl_error();
  return {};
}

// SSL_set_msg_callback: sees every handshake message; a CertificateRequest received
// means the server wants a client certificate.
void on_tls_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*,
                    void* arg) {
  if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
      static_cast<const unsigned char*>(buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
    *static_cast<bool*>(arg) = true;
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
  if (settings.cert_file.empty() != settings.key_file.empty())
    return make_error_code(boost::system::errc::invalid_argument);
  if (!settings.cert_file.empty()) {
    if ((ec = use_certificate(*ctx, settings.cert_file, settings.key_file))) return ec;
  }
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

error_code make_server_context(const server_options& opts, std::unique_ptr<ssl::context>& out) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return ec;
  if ((ec = use_certificate(*ctx, opts.tls_cert_file, opts.tls_key_file))) return ec;
  if (opts.tls_require_client_cert && opts.tls_client_ca_file.empty())
    return make_error_code(boost::system::errc::invalid_argument);
  if (!opts.tls_client_ca_file.empty()) {
    // Trust exactly these CAs for client certificates (not the system store), and name
    // them in the CertificateRequest so that a client can pick the right certificate.
    ctx->load_verify_file(opts.tls_client_ca_file, ec);
    if (ec) return ec;
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts.tls_client_ca_file.c_str());
    if (!names) return last_openssl_error();
    SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ctx->set_verify_mode(
        ssl::verify_peer | (opts.tls_require_client_cert ? ssl::verify_fail_if_no_peer_cert : 0),
        ec);
    if (ec) return ec;
  }
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

void watch_certificate_request(tls_stream& stream, bool& requested) {
  SSL_set_msg_callback(stream.native_handle(), on_tls_message);
  SSL_set_msg_callback_arg(stream.native_handle(), &requested);
}

void stop_watching_certificate_request(tls_stream& stream) {
  SSL_set_msg_callback(stream.native_handle(), nullptr);
  SSL_set_msg_callback_arg(stream.native_handle(), nullptr);
}

bool server_verdict_pending(tls_stream& stream, bool certificate_requested) {
  // Up to TLS 1.2 the server's Finished comes after it checked our certificate.
  return certificate_requested && SSL_version(stream.native_handle()) >= TLS1_3_VERSION;
}

std::string selected_alpn(tls_stream& stream) {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(stream.native_handle(), &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

}  // namespace h2ws::net
