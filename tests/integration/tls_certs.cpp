#include "tls_certs.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace h2ws::test {

namespace {
void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("certificate generation failed: ") + what);
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}
}  // namespace

cert_files make_self_signed(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) {
  char dir_template[] = "/tmp/h2ws-certs-XXXXXX";
  check(mkdtemp(dir_template) != nullptr, "mkdtemp");
  cert_files files{std::string(dir_template) + "/cert.pem", std::string(dir_template) + "/key.pem"};

  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "key");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::rand()) + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  std::string cn = dns_names.empty() ? ip_addresses.at(0) : dns_names.front();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  add_extension(cert, NID_subject_alt_name, san);
  add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
  check(X509_sign(cert, key, EVP_sha256()) > 0, "sign");

  FILE* f = std::fopen(files.cert.c_str(), "w");
  check(f && PEM_write_X509(f, cert), "write cert");
  std::fclose(f);
  f = std::fopen(files.key.c_str(), "w");
  check(f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), "write key");
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace h2ws::test
