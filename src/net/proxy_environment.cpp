#include "net/proxy_environment.hpp"

#include <h2ws/options.hpp>

#include <cstdlib>

namespace h2ws::net {

namespace {

proxy_setting env(const char* lower, const char* upper) {
  if (const char* v = std::getenv(lower); v && *v) return {v, lower};
  if (upper) {
    if (const char* v = std::getenv(upper); v && *v) return {v, upper};
  }
  return {};
}

bool listed_in_no_proxy(const std::string& host) {
  std::string list = env("no_proxy", "NO_PROXY").url;
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

proxy_setting proxy_from_environment(const parsed_url& target) {
  if (listed_in_no_proxy(target.host)) return {};
  auto proxy = target.tls ? env("https_proxy", "HTTPS_PROXY") : env("http_proxy", nullptr);
  if (proxy.url.empty()) proxy = env("all_proxy", "ALL_PROXY");
  return proxy;
}

std::string proxy_for(const options& o, const parsed_url& target) {
  if (!o.proxy.empty() || !o.proxy_from_environment) return o.proxy;
  return proxy_from_environment(target).url;
}

}  // namespace h2ws::net
