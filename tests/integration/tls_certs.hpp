// Self-signed certificates made at test time (no files in the tree, no openssl CLI).
#pragma once

#include <string>
#include <vector>

namespace h2ws::test {

struct cert_files {
  std::string cert;  // PEM certificate path (also usable as its own CA file)
  std::string key;   // PEM private key path
};

/// Writes a self-signed certificate (a CA: it can sign others) whose subjectAltName lists
/// `dns_names` and `ip_addresses` into a fresh temporary directory.
cert_files make_self_signed(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses);

/// Writes a certificate for `common_name` (and the SAN entries) signed by the CA in
/// `issuer` (a make_self_signed() certificate: it is a CA) into a fresh temporary directory.
/// Usable as a server or a client certificate.
cert_files make_issued(const cert_files& issuer, const std::string& common_name,
                       const std::vector<std::string>& dns_names = {},
                       const std::vector<std::string>& ip_addresses = {});

}  // namespace h2ws::test
