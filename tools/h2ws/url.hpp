// Splits the CLI's URL argument into the parts the client needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace h2ws::cli {

/// A ws/wss/http/https URL, split. The library parses the URL again when it
/// connects; the CLI only needs the scheme (TLS or not), the authority to send
/// and the request target.
struct target_url {
  std::string scheme;     ///< lowercased: "ws", "wss", "http" or "https"
  std::string authority;  ///< host[:port] as written in the URL (userinfo dropped)
  std::string target;     ///< path and query, "/" when the URL has none
  bool tls = false;       ///< wss:// or https://
};

/// Splits `url`; on failure returns nothing and sets `why` to a sentence for the user.
std::optional<target_url> split_url(std::string_view url, std::string& why);

/// The proxy for `target` from the environment, as curl reads it: https_proxy
/// (or HTTPS_PROXY) for wss/https, http_proxy for ws/http, then all_proxy (or
/// ALL_PROXY); empty when none is set or the host is listed in no_proxy
/// (NO_PROXY): comma-separated names, each matching itself and its subdomains,
/// or "*" for every host.
std::string proxy_from_environment(const target_url& target);

}  // namespace h2ws::cli
