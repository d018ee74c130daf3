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
std::string san_of(const std::vector<std::string>& dns_names,
                   const std::vector<std::string>& ip_addresses) {
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  return san;
}

cert_files fresh_files() {
  char dir_template[] = "/tmp/h2ws-certs-XXXXXX";
  check(mkdtemp(dir_template) != nullptr, "mkdtemp");
  return {std::string(dir_template) + "/cert.pem", std::string(dir_template) + "/key.pem"};
}

void write_pem(const cert_files& files, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(files.cert.c_str(), "w");
  check(f && PEM_write_X509(f, cert), "write cert");
  std::fclose(f);
  f = std::fopen(files.key.c_str(), "w");
  check(f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), "write key");
  std::fclose(f);
}
}  // namespace

cert_files make_issued(const cert_files& issuer, const std::string& common_name,
                       const std::vector<std::string>& dns_names,
                       const std::vector<std::string>& ip_addresses) {
  cert_files files = fresh_files();
  FILE* f = std::fopen(issuer.cert.c_str(), "r");
  check(f != nullptr, "open issuer cert");
  X509* ca = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  check(ca != nullptr, "read issuer cert");
  f = std::fopen(issuer.key.c_str(), "r");
  check(f != nullptr, "open issuer key");
  EVP_PKEY* ca_key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  check(ca_key != nullptr, "read issuer key");

  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "key");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::rand()) + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, X509_get_subject_name(ca));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca, cert, nullptr, nullptr, 0);
  auto add = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (const auto san = san_of(dns_names, ip_addresses); !san.empty())
    add(NID_subject_alt_name, san);
  add(NID_basic_constraints, "critical,CA:FALSE");
  add(NID_key_usage, "critical,digitalSignature");
  add(NID_ext_key_usage, "serverAuth,clientAuth");
  check(X509_sign(cert, ca_key, EVP_sha256()) > 0, "sign");
  write_pem(files, cert, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  X509_free(ca);
  EVP_PKEY_free(ca_key);
  return files;
}

cert_files make_self_signed(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) {
  cert_files files = fresh_files();

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
  add_extension(cert, NID_subject_alt_name, san_of(dns_names, ip_addresses));
  add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
  check(X509_sign(cert, key, EVP_sha256()) > 0, "sign");

  write_pem(files, cert, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace h2ws::test
