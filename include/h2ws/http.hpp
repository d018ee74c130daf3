/// \file
/// Plain HTTP requests on the same HTTP/2 connection as the websockets.
#pragma once

#include <h2ws/options.hpp>

#include <string>

namespace h2ws {

/// An ordinary HTTP request (not a websocket) to send on a connection.
struct http_request {
  /// The request method (`:method`), e.g. "GET", "HEAD", "POST".
  std::string method = "GET";
  /// The request target; empty = the path of the URL the connection was made to.
  std::string path;
  /// Extra headers (names are lowercased on the wire).
  header_list headers;
  /// The request body; sent with END_STREAM on its last DATA frame.
  std::string body;
};

/// The complete answer to an http_request.
struct http_response {
  /// The HTTP status (`:status`).
  unsigned status = 0;
  header_list headers;  ///< response headers, `:status` included
  /// The response body, whole.
  std::string body;
};

}  // namespace h2ws
