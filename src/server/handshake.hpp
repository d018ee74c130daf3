// Decides how the server answers one request: pure, no I/O.
#pragma once

#include <h2ws/options.hpp>
#include <h2ws/server.hpp>

#include <string>

namespace h2ws::detail {

struct handshake_decision {
  bool accept_websocket = false;  // answer 200 and hand the stream to the handler
  unsigned status = 404;          // the status when not accepted
  std::string subprotocol;        // chosen subprotocol, empty when none
  std::string body;               // body of a non-websocket answer
  handshake_request request;      // what the client asked for
};

/// Applies RFC 8441 and the server's options to a complete request header block.
handshake_decision decide_handshake(const server_options& opts, const header_list& headers);

}  // namespace h2ws::detail
