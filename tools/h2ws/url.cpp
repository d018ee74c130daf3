#include "url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace h2ws::cli {

std::optional<target_url> split_url(std::string_view url, std::string& why) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    why = "the URL must start with ws://, wss://, http:// or https://";
    return std::nullopt;
  }
  target_url out;
  out.scheme = std::string(url.substr(0, scheme_end));
  std::ranges::transform(out.scheme, out.scheme.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme == "wss" || out.scheme == "https") {
    out.tls = true;
  } else if (out.scheme != "ws" && out.scheme != "http") {
    why = "unsupported URL scheme '" + out.scheme + "' (use ws://, wss://, http:// or https://)";
    return std::nullopt;
  }

  const auto rest = url.substr(scheme_end + 3);
  // The authority ends at the first '/', '?' or '#'; a fragment is never sent.
  const auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // credentials have no place in :authority
  }
  if (authority.empty()) {
    why = "the URL has no host";
    return std::nullopt;
  }
  out.authority = std::string(authority);

  auto target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() != '/') {
    out.target = "/" + std::string(target);  // "ws://h?x" asks for "/?x"
  } else {
    out.target = std::string(target);
  }
  return out;
}

namespace {

std::string env(const char* lower, const char* upper) {
  if (const char* v = std::getenv(lower); v && *v) return v;
  if (upper) {
    if (const char* v = std::getenv(upper); v && *v) return v;
  }
  return {};
}

std::string host_of(const std::string& authority) {
  if (!authority.empty() && authority.front() == '[')
    return authority.substr(1, authority.find(']') - 1);
  return authority.substr(
      0, authority.rfind(':') == std::string::npos ? authority.size() : authority.rfind(':'));
}

bool listed_in_no_proxy(const std::string& host) {
  std::string list = env("no_proxy", "NO_PROXY");
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string entry = list.substr(start, end - start);
    start = end + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.ends_with(entry) &&
        host[host.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

}  // namespace

std::string proxy_from_environment(const target_url& target) {
  if (listed_in_no_proxy(host_of(target.authority))) return {};
  // Like curl: the upper-case HTTP_PROXY is ignored (CGI sets it from a request header).
  std::string proxy = target.tls ? env("https_proxy", "HTTPS_PROXY") : env("http_proxy", nullptr);
  if (proxy.empty()) proxy = env("all_proxy", "ALL_PROXY");
  return proxy;
}

}  // namespace h2ws::cli
