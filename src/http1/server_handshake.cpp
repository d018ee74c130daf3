#include "http1/server_handshake.hpp"

#include "http1/upgrade.hpp"

#include <boost/beast/http/status.hpp>

namespace h2ws::http1 {

namespace {

// Fields that describe the HTTP/1.1 hop itself: the RFC 8441 form does without them.
bool hop_field(std::string_view name) {
  return name == "host" || name == "connection" || name == "upgrade" ||
         name == "sec-websocket-key" || name == "keep-alive" || name == "transfer-encoding";
}

}  // namespace

routed_request route_form(const request& r) {
  routed_request out;
  std::string host, upgrade, connection, version;
  for (const auto& [name, value] : r.headers) {
    if (name == "host") host = value;
    if (name == "upgrade") upgrade = value;
    if (name == "connection") connection = value;
    if (name == "sec-websocket-key") out.key = value;
    if (name == "sec-websocket-version") version = value;
  }
  const bool wants_websocket = has_token(upgrade, "websocket");
  if (wants_websocket) {
    // RFC 6455 4.2.1: GET, HTTP/1.1, Connection: Upgrade, a 16-byte key (24 base64
    // characters); 4.4: another version gets 426 with the one we speak.
    if (r.method != "GET" || r.version < 11 || !has_token(connection, "upgrade")) {
      out.bad_status = 400;
      out.bad_reason = "h2ws: a websocket Upgrade needs GET, HTTP/1.1 and Connection: Upgrade\n";
    } else if (out.key.size() != 24) {
      out.bad_status = 400;
      out.bad_reason = "h2ws: Sec-WebSocket-Key must be 16 bytes in base64\n";
    } else if (version != "13") {
      out.bad_status = 426;
      out.bad_reason = "h2ws: Sec-WebSocket-Version must be 13\n";
    } else {
      out.websocket = true;
    }
  }
  out.headers.emplace_back(":method", out.websocket ? "CONNECT" : r.method);
  if (out.websocket) out.headers.emplace_back(":protocol", "websocket");
  out.headers.emplace_back(":path", r.target);
  out.headers.emplace_back(":authority", host);
  for (const auto& field : r.headers)
    if (!hop_field(field.first)) out.headers.push_back(field);
  return out;
}

std::string switching_protocols(std::string_view key, const std::string& subprotocol,
                                const std::string& extensions, const header_list& extra) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  out += "Sec-WebSocket-Accept: " + accept_for(key) + "\r\n";
  if (!subprotocol.empty()) out += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
  if (!extensions.empty()) out += "Sec-WebSocket-Extensions: " + extensions + "\r\n";
  for (const auto& [name, value] : extra) out += name + ": " + value + "\r\n";
  out += "\r\n";
  return out;
}

std::string response(unsigned status, const header_list& headers, std::string_view body,
                     bool keep_alive, bool head_only) {
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    if (name == "content-length" || name == "connection" || name == "transfer-encoding")
      continue;  // ours to say
    out += name + ": " + value + "\r\n";
    if (name == "content-type") has_type = true;
  }
  if (!body.empty() && !has_type) out += "content-type: text/plain; charset=utf-8\r\n";
  out += "content-length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive) out += "connection: close\r\n";
  out += "\r\n";
  if (!head_only) out += body;
  return out;
}

}  // namespace h2ws::http1
