// Splits a ws://, wss://, http:// or https:// URL into what a connection needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace h2ws::net {

struct parsed_url {
  bool tls = false;  // wss:// or https://
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string target;     // path and query, "/" when empty
  std::string authority;  // host[:port] as written in the URL (brackets kept)
};

/// Parses `url`; error::bad_url on anything but the four schemes with a host.
boost::system::error_code parse_url(std::string_view url, parsed_url& out);

/// Parses a proxy URL "http://[user:password@]host[:port]" (port 80 by default);
/// `credentials` gets "user:password" (percent-decoded) or stays empty.
/// error::bad_url otherwise.
boost::system::error_code parse_proxy_url(std::string_view url, parsed_url& out,
                                          std::string& credentials);

}  // namespace h2ws::net
