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

namespace {

bool matches(const route& r, std::string_view path) {
  return r.prefix ? path.substr(0, r.path.size()) == r.path : path == r.path;
}

}  // namespace

handshake_decision decide_handshake(const server_options& opts, const header_list& headers,
                                    std::string peer, int http_version, std::string body) {
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
  d.request.peer = std::move(peer);
  d.request.http_version = http_version;

  if (method != "CONNECT") {
    if (opts.http_handler) {
      http_request in;
      in.method = method;
      in.path = d.request.path;
      for (const auto& field : headers)
        if (!field.first.empty() && field.first.front() != ':') in.headers.push_back(field);
      in.body = std::move(body);
      auto out = opts.http_handler(in);
      d.status = out.status ? out.status : 200;
      for (auto& field : out.headers)
        if (!field.first.empty() && field.first.front() != ':') d.headers.push_back(field);
      d.body = std::move(out.body);
      return d;
    }
    // Browsers open an ordinary request first on the connection they later reuse:
    // answer it instead of resetting it.
    if (d.request.path == "/" && (method == "GET" || method == "HEAD")) {
      d.status = 200;
      d.body =
          "h2ws: WebSocket server (RFC 8441 and RFC 6455). Open a websocket at a served path.\n";
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
  const auto where = std::string_view(d.request.path).substr(0, d.request.path.find('?'));
  const route* chosen = nullptr;
  for (const auto& r : opts.routes)
    if (matches(r, where)) {
      chosen = &r;
      break;
    }
  if (!chosen && std::find(opts.paths.begin(), opts.paths.end(), where) == opts.paths.end()) {
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
  if (chosen && chosen->accept) {
    auto answer = chosen->accept(d.request);
    d.headers = std::move(answer.headers);
    if (answer.status < 200 || answer.status > 299) {
      d.status = answer.status;
      d.body = answer.body.empty() ? std::string("h2ws: refused\n") : std::move(answer.body);
      return d;
    }
  }
  const auto& spoken =
      chosen && !chosen->subprotocols.empty() ? chosen->subprotocols : opts.subprotocols;
  for (const auto& mine : spoken) {
    if (std::find(d.request.subprotocols.begin(), d.request.subprotocols.end(), mine) !=
        d.request.subprotocols.end()) {
      d.subprotocol = mine;
      break;
    }
  }
  if (chosen) d.handler = chosen->handler;
  d.accept_websocket = true;
  d.status = 200;
  return d;
}

}  // namespace h2ws::detail
