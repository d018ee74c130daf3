#include "server/handshake.hpp"

#include <algorithm>

namespace h2ws::detail {

namespace {

// Splits a comma-separated header value into trimmed tokens.
std::vector<std::string> split_tokens(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    auto comma = value.find(',');
    auto token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) out.emplace_back(token);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

handshake_decision decide_handshake(const server_options& opts, const header_list& headers) {
  handshake_decision d;
  std::string method, protocol, version;
  for (const auto& [name, value] : headers) {
    if (name == ":method")
      method = value;
    else if (name == ":protocol")
      protocol = value;
    else if (name == ":path")
      d.request.path = value;
    else if (name == ":authority")
      d.request.authority = value;
    else if (name == "sec-websocket-version")
      version = value;
    else if (name == "sec-websocket-protocol") {
      auto tokens = split_tokens(value);
      d.request.subprotocols.insert(d.request.subprotocols.end(), tokens.begin(), tokens.end());
    }
  }
  d.request.headers = headers;

  if (method != "CONNECT") {
    // Browsers open an ordinary request first on the connection they later reuse:
    // answer it instead of resetting it.
    if (d.request.path == "/" && (method == "GET" || method == "HEAD")) {
      d.status = 200;
      d.body = "h2ws: RFC 8441 WebSocket server. Open a websocket with an extended CONNECT.\n";
    } else {
      d.status = 404;
      d.body = "h2ws: not found\n";
    }
    return d;
  }
  if (protocol != "websocket") {
    d.status = protocol.empty() ? 405 : 501;  // plain CONNECT tunnels are not offered
    d.body = "h2ws: only :protocol websocket is supported\n";
    return d;
  }
  // Route on the path alone: "/echo?room=1" is served by "/echo".
  auto route = std::string_view(d.request.path).substr(0, d.request.path.find('?'));
  if (std::find(opts.paths.begin(), opts.paths.end(), route) == opts.paths.end()) {
    d.status = 404;
    d.body = "h2ws: no websocket at this path\n";
    return d;
  }
  if (version != "13") {
    d.status = 400;
    d.body = "h2ws: sec-websocket-version must be 13\n";
    return d;
  }
  if (opts.authorize) {
    unsigned status = opts.authorize(d.request);
    if (status < 200 || status > 299) {
      d.status = status;
      d.body = "h2ws: refused\n";
      return d;
    }
  }
  for (const auto& mine : opts.subprotocols) {
    if (std::find(d.request.subprotocols.begin(), d.request.subprotocols.end(), mine) !=
        d.request.subprotocols.end()) {
      d.subprotocol = mine;
      break;
    }
  }
  d.accept_websocket = true;
  d.status = 200;
  return d;
}

}  // namespace h2ws::detail
