#include "net/url.hpp"

#include <h2ws/error.hpp>

#include <boost/url/parse.hpp>

namespace h2ws::net {

boost::system::error_code parse_url(std::string_view url, parsed_url& out) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return make_error_code(error::bad_url);
  const auto& u = *parsed;
  const std::string scheme = u.scheme();
  std::uint16_t default_port = 0;
  if (scheme == "ws" || scheme == "http") {
    out.tls = false;
    default_port = 80;
  } else if (scheme == "wss" || scheme == "https") {
    out.tls = true;
    default_port = 443;
  } else {
    return make_error_code(error::bad_url);
  }
  if (!u.has_authority() || u.encoded_host().empty()) return make_error_code(error::bad_url);
  out.host = u.host_address();
  out.authority = u.encoded_host_and_port();
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return make_error_code(error::bad_url);
    out.port = u.port_number();
  } else {
    out.port = default_port;
  }
  out.target = u.encoded_path();
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) {
    out.target += '?';
    out.target += u.encoded_query();
  }
  return {};
}

boost::system::error_code parse_proxy_url(std::string_view url, parsed_url& out,
                                          std::string& credentials) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->encoded_host().empty())
    return make_error_code(error::bad_url);
  out.tls = false;
  out.host = parsed->host_address();
  out.authority = parsed->encoded_host_and_port();
  out.port = parsed->has_port() ? parsed->port_number() : 80;
  if (out.port == 0) return make_error_code(error::bad_url);
  credentials.clear();
  if (parsed->has_userinfo()) credentials = parsed->user() + ":" + parsed->password();
  return {};
}

}  // namespace h2ws::net
