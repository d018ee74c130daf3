#include "url.hpp"

#include <algorithm>
#include <cctype>

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

}  // namespace h2ws::cli
