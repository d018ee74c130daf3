// The server side of HTTP/1.1: an RFC 6455 Upgrade (4.2.1) or a plain request, put in the
// form the routing of RFC 8441 streams already reads (server/handshake.hpp), so one set of
// rules answers both protocols; and the answers as bytes. No I/O.
#pragma once

#include "http1/request_reader.hpp"
#include <h2ws/options.hpp>

#include <string>
#include <string_view>

namespace h2ws::http1 {

struct routed_request {
  /// Pseudo-headers first (:method, :path, :authority; an Upgrade becomes :method CONNECT
  /// with :protocol websocket, as RFC 8441 writes it), then the request's other fields.
  header_list headers;
  bool websocket = false;   // an Upgrade: websocket request that passed RFC 6455's checks
  std::string key;          // its Sec-WebSocket-Key
  unsigned bad_status = 0;  // an Upgrade that did not: answer this (400, or 426)
  std::string bad_reason;
};

routed_request route_form(const request& r);

/// The 101 answer to an Upgrade with `key`; `subprotocol` and `extensions` when chosen.
std::string switching_protocols(std::string_view key, const std::string& subprotocol,
                                const std::string& extensions, const header_list& extra);

/// A complete answer with a Content-Length (and the body, unless `head_only`).
std::string response(unsigned status, const header_list& headers, std::string_view body,
                     bool keep_alive, bool head_only = false);

}  // namespace h2ws::http1
