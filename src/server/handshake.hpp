// Decides how the server answers one request, websocket handshake or plain request,
// whichever protocol carried it: pure, no I/O (user callbacks aside).
#pragma once

#include <h2ws/options.hpp>
#include <h2ws/server.hpp>

#include <functional>
#include <string>

namespace h2ws::detail {

struct handshake_decision {
  bool accept_websocket = false;  // answer 2xx (101) and hand the websocket over
  unsigned status = 404;          // the status of the answer
  std::string subprotocol;        // chosen subprotocol, empty when none
  header_list headers;            // more answer headers (the accept step's, content-type)
  std::string body;               // body of a non-websocket answer
  handshake_request request;      // what the client asked for
  // The handler of the route that accepted; empty = the server's.
  std::function<void(websocket)> handler;
};

/// Applies RFC 8441 (or the RFC 8441 form of an RFC 6455 Upgrade), the routes and the
/// server's callbacks to a complete request header block. Throws what they throw.
handshake_decision decide_handshake(const server_options& opts, const header_list& headers,
                                    std::string peer, int http_version, std::string body = {});

}  // namespace h2ws::detail
