// The CLI's proxy settings from the environment. URLs themselves are parsed by the
// library's parser (src/net/url.hpp), the same one h2ws::connect uses.
#pragma once

#include "net/url.hpp"

#include <string>

namespace h2ws::cli {

/// A proxy URL and where it came from, for messages ("--proxy", "https_proxy", ...).
struct proxy_setting {
  std::string url;     ///< empty = connect directly
  std::string source;  ///< the option or environment variable that gave it
};

/// The proxy for `target` from the environment, as curl reads it: https_proxy
/// (or HTTPS_PROXY) for wss/https, http_proxy for ws/http, then all_proxy (or
/// ALL_PROXY); empty when none is set or the host is listed in no_proxy
/// (NO_PROXY): comma-separated names, each matching itself and its subdomains,
/// or "*" for every host.
proxy_setting proxy_from_environment(const net::parsed_url& target);

}  // namespace h2ws::cli
