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

}  // namespace h2ws::cli
