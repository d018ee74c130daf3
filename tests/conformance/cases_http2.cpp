// h2.x: what the HTTP/2 stream under the websocket may do (RFC 8441, RFC 9113).
#include "catalogue.hpp"

#include <nghttp2/nghttp2.h>

namespace h2ws::conformance {

std::vector<case_spec> http2_cases() {
  std::vector<case_spec> cases;
  cases.push_back(failed_open(
      "h2.1", "a 2xx answer that carries END_STREAM is a failed open (tunnel already closed)",
      {.end_stream = true}, error::tunnel_closed));
  cases.push_back(failed_open("h2.2", "the server selects a subprotocol the client did not offer",
                              {.headers = {{"sec-websocket-protocol", "never-offered"}}},
                              error::unexpected_subprotocol));
  cases.push_back(failed_open("h2.3", "a CONNECT that is never answered hits the open timeout",
                              {.never_answer = true}, error::timeout,
                              {.open_timeout = std::chrono::milliseconds(300)}));
  {
    case_spec c;
    c.id = "h2.4";
    c.title = "a 2xx answer with content-length is tolerated";
    c.answer.headers = {{"content-length", "0"}};
    c.chunks = {frame(ws::opcode::text, "ok"), close_frame(1000)};
    c.expect_messages = {message::text("ok")};
    c.expect_receive_error = make_error_code(error::closed);
    c.expect_close_code = 1000;
    cases.push_back(c);
  }
  {
    case_spec c;
    c.id = "h2.5";
    c.title = "RST_STREAM in the middle of a message reaches receive() as stream_reset";
    c.chunks = {frame(ws::opcode::text, "whole"), frame(ws::opcode::text, "part", false)};
    c.ending = server_ending::reset;
    c.reset_code = NGHTTP2_INTERNAL_ERROR;
    c.expect_messages = {message::text("whole")};
    c.expect_receive_error = make_error_code(error::stream_reset);
    cases.push_back(c);
  }
  {
    case_spec c;
    c.id = "h2.6";
    c.title = "END_STREAM without a close frame is an abnormal end (1006)";
    c.chunks = {frame(ws::opcode::binary, "x")};
    c.ending = server_ending::end_stream;
    c.expect_messages = {message::binary("x")};
    c.expect_receive_error = make_error_code(error::closed_without_handshake);
    c.expect_peer_close_code = 1006;
    cases.push_back(c);
  }
  {
    case_spec c;
    c.id = "h2.7";
    c.title =
        "the connection dropped in the middle of a frame reaches receive() as connection_lost";
    c.chunks = {frame(ws::opcode::text, "fine"), frame(ws::opcode::text, "cut short").substr(0, 5)};
    c.ending = server_ending::drop_connection;
    c.expect_messages = {message::text("fine")};
    c.expect_receive_error = make_error_code(error::connection_lost);
    cases.push_back(c);
  }
  cases.push_back(failed_open("h2.8", "a refused CONNECT (403) reports error::refused",
                              {.status = 403}, error::refused));
  {
    std::string masked = frame(ws::opcode::text, "abcd");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    masked.insert(2, std::string("\0\0\0\0", 4));  // an all-zero key leaves the payload as is
    cases.push_back(violation("h2.9",
                              "a masked frame from the server is a protocol error: close 1002",
                              {masked}, error::masked_frame, 1002));
  }
  cases.push_back(failed_open("h2.10",
                              "an answer whose headers exceed max_header_list_size is refused",
                              {.headers = {{"x-padding", std::string(4000, 'p')}}},
                              error::bad_handshake_response, {.max_header_list_size = 1024}));
  return cases;
}

}  // namespace h2ws::conformance
