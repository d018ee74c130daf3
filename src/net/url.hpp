// Splits a ws://, wss://, http:// or https:// URL into what a connection needs.
// The one URL parser of h2ws: the library and the CLI both use it (Boost.URL underneath).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace h2ws::net {

struct parsed_url {
  bool tls = false;        // wss:// or https://
  std::string host;        // without brackets for IPv6 literals
  std::uint16_t port = 0;  // 1-65535; the scheme's default when the URL has none
  std::string target;      // path and query, "/" when empty
  std::string authority;   // host[:port] as written in the URL (brackets kept, userinfo dropped)
  std::string scheme;  // lowercased: "ws", "wss", "http" or "https" (a proxy's: "http", "socks5",
                       // "socks5h")
};

/// Parses `url`; error::bad_url on anything but the four schemes with a host and a port in
/// 1-65535 (or none). On failure `why` says what is wrong, as a clause for a person
/// (e.g. "port 104736 is out of range (1-65535)").
boost::system::error_code parse_url(std::string_view url, parsed_url& out, std::string& why);
boost::system::error_code parse_url(std::string_view url, parsed_url& out);

/// Parses a proxy URL "http://[user:password@]host[:port]" (port 80 by default; without
/// "scheme://", http is assumed, as curl does), or "socks5://" / "socks5h://" (port 1080 by
/// default; socks5h: the proxy resolves the host name) with `out.scheme` telling which;
/// `credentials` gets "user:password" (percent-decoded) or stays empty.
/// error::bad_url otherwise, with `why` as for parse_url.
boost::system::error_code parse_proxy_url(std::string_view url, parsed_url& out,
                                          std::string& credentials, std::string& why);
boost::system::error_code parse_proxy_url(std::string_view url, parsed_url& out,
                                          std::string& credentials);

}  // namespace h2ws::net
