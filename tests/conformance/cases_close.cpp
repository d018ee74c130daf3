// 7.x Close handling (RFC 6455 5.5.1, 7.1.5, 7.4): the client answers a close frame with a close
// frame (echoing the code; an empty close with an empty close, which the server reads as 1005),
// ignores everything after it, and fails with 1002 on an invalid code or a 1-byte payload, with
// 1007 on a reason that is not UTF-8.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

using namespace std::string_literals;
using ws::opcode;

// The server closes with `code` (after `before`): the client echoes it, receive() reports closed.
case_spec closed(std::string id, std::string title, std::vector<std::string> chunks,
                 std::uint16_t code, std::vector<message> messages = {}) {
  case_spec c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.chunks = std::move(chunks);
  c.expect_messages = std::move(messages);
  c.expect_receive_error = make_error_code(error::closed);
  c.expect_close_code = code;
  c.expect_peer_close_code = code;
  return c;
}

}  // namespace

std::vector<case_spec> close_cases() {
  std::vector<case_spec> cases;
  const auto close_1000 = close_frame(1000);

  // 7.1.x: what comes around a close frame.
  cases.push_back(closed("7.1.1", "a text message, then a close: the message, then the echo",
                         {frame(opcode::text, "Hello World!"), close_1000}, 1000,
                         {message::text("Hello World!")}));
  cases.push_back(closed("7.1.2", "two close frames: the second is ignored",
                         {close_1000 + close_frame(1001)}, 1000));
  cases.push_back(closed("7.1.3", "a ping after the close frame: not answered",
                         {close_1000 + frame(opcode::ping, "after close")}, 1000));
  cases.push_back(closed("7.1.4", "a text message after the close frame: not delivered",
                         {close_1000 + frame(opcode::text, "after close")}, 1000));
  cases.push_back(closed("7.1.5",
                         "a fragment, the close frame, the last fragment: nothing delivered",
                         {frame(opcode::text, "fragment1", false) + close_1000 +
                          frame(opcode::continuation, "fragment2", true)},
                         1000));
  {
    std::string big;
    while (big.size() < 256 * 1024) big += "BAsd7&jh23";
    big.resize(256 * 1024);
    cases.push_back(closed("7.1.6",
                           "a 256 KiB message, the close, a ping: the message, no pong, the echo",
                           {frame(opcode::text, big) + close_1000 + frame(opcode::ping, "late")},
                           1000, {message::text(big)}));
  }
  {
    // RFC 6455 5.5.1: "typically echos the status code it received"; with no code received,
    // the echo has no payload either, which the server's parser reports as 1005.
    case_spec c = closed("7.3.1", "close without payload: answered by a close without payload",
                         {frame(opcode::close, "")}, 1005);
    cases.push_back(c);
  }
  cases.push_back(violation("7.3.2", "close with a 1-byte payload: close 1002",
                            {frame(opcode::close, "\x03")}, error::bad_close_frame, 1002));
  cases.push_back(closed("7.3.3", "close with code 1000 and no reason", {close_1000}, 1000));
  cases.push_back(closed("7.3.4", "close with code 1000 and a reason",
                         {close_frame(1000, "Hello World!")}, 1000));
  cases.push_back(closed("7.3.5", "close with code 1000 and a 123-byte reason (the maximum)",
                         {close_frame(1000, std::string(123, '*'))}, 1000));
  cases.push_back(violation("7.3.6", "close with a 124-byte reason (payload 126): close 1002",
                            {close_frame(1000, std::string(124, '*'))}, error::bad_control_frame,
                            1002));
  cases.push_back(violation(
      "7.5.1", "close with a reason that is not UTF-8 (encoded surrogate): close 1007",
      {close_frame(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"s + "edited")},
      error::invalid_utf8, 1007));

  // 7.7.x: valid codes, echoed. 1012-1014 (IANA registry, after RFC 6455) are extras.
  int n = 1;
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000,
                             4999, 1012, 1013, 1014}) {
    cases.push_back(closed("7.7." + std::to_string(n++),
                           "close with valid code " + std::to_string(code) + ": echoed",
                           {close_frame(code)}, code));
  }
  // 7.9.x: codes that may not be sent (reserved, local-only, unassigned): 1002. 1015 is extra.
  n = 1;
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 1015}) {
    cases.push_back(violation("7.9." + std::to_string(n++),
                              "close with invalid code " + std::to_string(code) + ": close 1002",
                              {close_frame(code)}, error::bad_close_frame, 1002));
  }
  // 7.13.x: codes beyond the defined space.
  n = 1;
  for (std::uint16_t code : {5000, 65535}) {
    cases.push_back(violation("7.13." + std::to_string(n++),
                              "close with code " + std::to_string(code) + ": close 1002",
                              {close_frame(code)}, error::bad_close_frame, 1002));
  }
  // 7.14.x (h2ws).
  cases.push_back(violation("7.14.1", "close with an invalid code and a reason: close 1002",
                            {close_frame(1005, "no status")}, error::bad_close_frame, 1002));
  cases.push_back(violation("7.14.2", "close whose reason ends inside a code point: close 1007",
                            {close_frame(1000, "bye \xe2\x82")}, error::invalid_utf8, 1007));
  cases.push_back(closed("7.14.3", "close with a multi-byte UTF-8 reason",
                         {close_frame(4000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")},
                         4000));
  cases.push_back(closed("7.14.4", "close frame cut into 1-byte chunks",
                         {"\x88"s, "\x05"s, "\x0f"s, "\xa0"s, "b"s, "y"s, "e"s}, 4000));
  cases.push_back(closed("7.14.5", "a ping, then the close: pong, then the echo",
                         {frame(opcode::ping, "before close") + close_1000}, 1000));
  cases.back().expect_pongs = {"before close"};
  return cases;
}

}  // namespace h2ws::conformance
