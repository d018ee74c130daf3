// The proxy that the environment names for a URL, read as curl reads it. The CLI always
// consults it; the library only when options::proxy_from_environment asks (a library
// should not change where it connects because of its process's environment unless told).
#pragma once

#include "net/url.hpp"

#include <string>

namespace h2ws {
struct options;
}

namespace h2ws::net {

/// A proxy URL and where it came from, for messages ("--proxy", "https_proxy", ...).
struct proxy_setting {
  std::string url;     ///< empty = connect directly
  std::string source;  ///< the option or environment variable that gave it
};

/// The proxy for `target` from the environment, as curl reads it: https_proxy
/// (or HTTPS_PROXY) for wss/https, http_proxy for ws/http (the upper-case HTTP_PROXY is
/// ignored: CGI sets it from a request header), then all_proxy (or ALL_PROXY); empty when
/// none is set or the host is listed in no_proxy (NO_PROXY): comma-separated names, each
/// matching itself and its subdomains, or "*" for every host.
proxy_setting proxy_from_environment(const parsed_url& target);

/// The proxy a connection to `target` goes through: `o.proxy` when set, else the
/// environment's when `o.proxy_from_environment`, else none.
std::string proxy_for(const options& o, const parsed_url& target);

}  // namespace h2ws::net
