#include "net/url.hpp"

#include <h2ws/error.hpp>

#include <algorithm>
#include <cctype>

#include <boost/url/parse.hpp>

namespace h2ws::net {

namespace {

using boost::system::error_code;

error_code fail(std::string& why, std::string text) {
  why = std::move(text);
  return make_error_code(error::bad_url);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Characters RFC 3986 allows in a URI without percent-encoding.
bool uri_char(unsigned char c) {
  static constexpr std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=%";
  return std::isalnum(c) || allowed.find(static_cast<char>(c)) != std::string_view::npos;
}

// The port as written after the host, or nothing: found by hand only to explain a URL that
// Boost.URL refused (e.g. "ws://host:abc/").
std::string_view port_text(std::string_view url, bool& has_port) {
  has_port = false;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  auto authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return {};
    authority.remove_prefix(close + 1);
    if (authority.empty() || authority.front() != ':') return {};
    has_port = true;
    return authority.substr(1);
  }
  const auto colon = authority.find(':');  // a host name or IPv4 address has none
  if (colon == std::string_view::npos) return {};
  has_port = true;
  return authority.substr(colon + 1);
}

// Checks the port as written: digits, 1-65535. (Boost.URL 1.81 wraps large numbers:
// port_number() of "104736" is 39200.)
error_code check_port(std::string_view text, std::uint16_t& port, std::string& why) {
  if (text.empty()) return fail(why, "the URL has a ':' after the host but no port number");
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return fail(why, "port '" + std::string(text) + "' is not a number");
  }
  auto digits = text;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  unsigned long value = 0;
  if (digits.size() <= 5) {
    for (const char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (digits.size() > 5 || value == 0 || value > 65535)
    return fail(why, "port " + std::string(text) + " is out of range (1-65535)");
  port = static_cast<std::uint16_t>(value);
  return {};
}

// Why Boost.URL refused `url`, as precisely as we can tell.
// `shift`: characters added in front of what the user wrote (not counted in positions).
error_code explain_syntax_error(std::string_view url, std::string_view schemes, std::string& why,
                                std::size_t shift = 0) {
  if (url.empty()) return fail(why, "the URL is empty");
  if (url.find("://") == std::string_view::npos)
    return fail(why, "the URL must start with " + std::string(schemes));
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    const auto where = " (character " + std::to_string(i + 1 - std::min(i, shift)) + ")";
    if (c == ' ') return fail(why, "the URL contains a space" + where + ": write it as %20");
    if (c < 0x20 || c >= 0x7f)
      return fail(why,
                  "the URL contains a control or non-ASCII byte" + where + ": percent-encode it");
    if (!uri_char(c))
      return fail(why, "the URL contains '" + std::string(1, url[i]) + "'" + where +
                           ", which must be percent-encoded");
    if (c == '%' &&
        (i + 2 >= url.size() || !std::isxdigit(static_cast<unsigned char>(url[i + 1])) ||
         !std::isxdigit(static_cast<unsigned char>(url[i + 2]))))
      return fail(why, "the URL has a '%' not followed by two hex digits" + where);
  }
  bool has_port = false;
  const auto port = port_text(url, has_port);
  std::uint16_t ignored = 0;
  if (has_port && check_port(port, ignored, why)) return make_error_code(error::bad_url);
  return fail(why, "'" + std::string(url) + "' is not a valid URL (RFC 3986)");
}

}  // namespace

error_code parse_url(std::string_view url, parsed_url& out, std::string& why) {
  constexpr std::string_view schemes = "ws://, wss://, http:// or https://";
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return explain_syntax_error(url, schemes, why);
  const auto& u = *parsed;
  out.scheme = lower(u.scheme());
  std::uint16_t default_port = 0;
  if (out.scheme == "ws" || out.scheme == "http") {
    out.tls = false;
    default_port = 80;
  } else if (out.scheme == "wss" || out.scheme == "https") {
    out.tls = true;
    default_port = 443;
  } else if (url.find("://") == std::string_view::npos) {
    // "localhost:3000/echo" parses as the scheme "localhost".
    return fail(why, "the URL must start with " + std::string(schemes));
  } else {
    return fail(why,
                "unsupported URL scheme '" + out.scheme + "' (use " + std::string(schemes) + ")");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return fail(why, "the URL has no host");
  // Boost.URL 1.81 takes "ws://host:12ab/x" as port "12" and path "ab/x"; after an
  // authority the path must be empty or start with '/'.
  if (!u.encoded_path().empty() && u.encoded_path().front() != '/')
    return explain_syntax_error(url, schemes, why);
  out.host = u.host_address();
  out.authority = u.encoded_host_and_port();
  out.port = default_port;
  if (u.has_port()) {
    if (auto ec = check_port(u.port(), out.port, why)) return ec;
  }
  out.target = u.encoded_path();
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) {
    out.target += '?';
    out.target += u.encoded_query();
  }
  return {};
}

error_code parse_url(std::string_view url, parsed_url& out) {
  std::string why;
  return parse_url(url, out, why);
}

error_code parse_proxy_url(std::string_view url, parsed_url& out, std::string& credentials,
                           std::string& why) {
  constexpr std::string_view schemes = "http://";
  // Like curl: "host:port" without a scheme is an HTTP proxy.
  std::string with_scheme;
  if (!url.empty() && url.find("://") == std::string_view::npos) {
    with_scheme = "http://" + std::string(url);
    url = with_scheme;
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return explain_syntax_error(url, schemes, why, with_scheme.empty() ? 0 : 7);
  out.scheme = lower(parsed->scheme());
  const bool socks = out.scheme == "socks5" || out.scheme == "socks5h";
  if (out.scheme != "http" && !socks)
    return fail(why, "unsupported proxy scheme '" + out.scheme +
                         "' (use http://, socks5:// or socks5h://)");
  if (!parsed->has_authority() || parsed->encoded_host().empty())
    return fail(why, "the proxy URL has no host");
  if (!parsed->encoded_path().empty() && parsed->encoded_path().front() != '/')
    return explain_syntax_error(url, schemes, why, with_scheme.empty() ? 0 : 7);
  out.tls = false;
  out.host = parsed->host_address();
  out.authority = parsed->encoded_host_and_port();
  out.port = socks ? 1080 : 80;
  if (parsed->has_port()) {
    if (auto ec = check_port(parsed->port(), out.port, why)) return ec;
  }
  credentials.clear();
  if (parsed->has_userinfo()) {
    const auto user = parsed->user();
    const auto password = parsed->password();
    // RFC 1929 carries each in one length byte.
    if (socks && (user.size() > 255 || password.size() > 255))
      return fail(why, "a SOCKS5 user name or password longer than 255 bytes");
    credentials = user + ":" + password;
  }
  return {};
}

error_code parse_proxy_url(std::string_view url, parsed_url& out, std::string& credentials) {
  std::string why;
  return parse_proxy_url(url, out, credentials, why);
}

}  // namespace h2ws::net
