// 12.x / 13.x permessage-deflate (RFC 7692): compressed messages of many sizes
// under several window settings, a decompression bomb, corrupt data, and
// answers that break the negotiation.
#include "catalogue.hpp"
#include "ws/permessage_deflate.hpp"

namespace h2ws::conformance {

namespace {

// A compressed message as the server sends it (RSV1, raw deflate, tail removed).
std::string compressed_frame(ws::deflater& d, ws::opcode op, const std::string& payload) {
  std::vector<std::uint8_t> out;
  d.compress({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}, out);
  return frame(op, std::string(out.begin(), out.end()), true, 0x4);
}

std::string text_of(std::size_t size, unsigned seed) {
  static const char* words[] = {"alpha ", "beta ", "gamma ", "delta ", "\xc3\xa9t\xc3\xa9 "};
  std::string s;
  while (s.size() < size) s += words[(seed = seed * 1103515245 + 12345) >> 16 & 3];
  s.resize(size);
  return s;
}

case_spec deflate_case(std::string id, std::string title, std::string answer,
                       const ws::deflate_params& server_params, std::vector<std::size_t> sizes) {
  case_spec c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.client.compression = true;
  c.answer.headers = {{"sec-websocket-extensions", std::move(answer)}};
  ws::deflater d(ws::role::server, server_params);
  unsigned seed = 7;
  for (auto size : sizes) {
    auto payload = text_of(size, seed++);
    c.chunks.push_back(compressed_frame(d, ws::opcode::binary, payload));
    c.expect_messages.push_back(message::binary(payload));
  }
  c.chunks.push_back(close_frame(1000));
  c.expect_receive_error = make_error_code(error::closed);
  c.expect_close_code = 1000;
  return c;
}

}  // namespace

std::vector<case_spec> compression_cases() {
  std::vector<case_spec> cases;
  const std::vector<std::size_t> sizes = {16, 64, 256, 1024, 4096, 8192, 65536, 131072};
  int n = 1;
  // 12.x: context takeover (the server keeps its window across messages).
  for (auto size : sizes)
    cases.push_back(deflate_case(
        "12.1." + std::to_string(n++),
        "10 compressed messages of " + std::to_string(size) + " bytes, context takeover",
        "permessage-deflate", {}, std::vector<std::size_t>(10, size)));
  // 13.x: window bits and no_context_takeover on the server's side.
  n = 1;
  for (int bits : {9, 12, 15}) {
    ws::deflate_params p;
    p.server_max_window_bits = bits;
    cases.push_back(deflate_case(
        "13.1." + std::to_string(n++),
        "compressed messages with server_max_window_bits=" + std::to_string(bits),
        "permessage-deflate; server_max_window_bits=" + std::to_string(bits), p, sizes));
  }
  n = 1;
  {
    ws::deflate_params p;
    p.server_no_context_takeover = true;
    cases.push_back(deflate_case("13.2." + std::to_string(n++),
                                 "compressed messages, server_no_context_takeover",
                                 "permessage-deflate; server_no_context_takeover", p, sizes));
    p.server_max_window_bits = 9;
    cases.push_back(deflate_case(
        "13.2." + std::to_string(n++), "no_context_takeover with server_max_window_bits=9",
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9", p, sizes));
  }
  {
    // A text message compressed, then split into fragments (RSV1 on the first only).
    case_spec c = deflate_case("12.2.1", "a compressed text message in 7 fragments",
                               "permessage-deflate", {}, {});
    ws::deflater d(ws::role::server, {});
    auto payload = text_of(5000, 3);
    std::vector<std::uint8_t> z;
    d.compress({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}, z);
    std::string body(z.begin(), z.end());
    std::size_t part = body.size() / 7 + 1;
    c.chunks.clear();
    for (std::size_t i = 0; i < body.size(); i += part) {
      bool first = i == 0, last = i + part >= body.size();
      c.chunks.push_back(frame(first ? ws::opcode::text : ws::opcode::continuation,
                               body.substr(i, part), last, first ? 0x4 : 0));
    }
    c.chunks.push_back(close_frame(1000));
    c.expect_messages = {message::text(payload)};
    cases.push_back(c);
  }
  // 12.3.x: the data breaks a limit or does not inflate; permessage-deflate is agreed.
  const detail::scripted_answer deflate_agreed{
      .headers = {{"sec-websocket-extensions", "permessage-deflate"}}};
  {
    ws::deflater d(ws::role::server, {});
    case_spec c =
        violation("12.3.1",
                  "decompression bomb: 16 MiB of zeros (about 16 KiB compressed) against a 1 MiB "
                  "limit is stopped while inflating: close 1009",
                  {compressed_frame(d, ws::opcode::binary, std::string(16 * 1024 * 1024, '\0'))},
                  error::message_too_big, 1009);
    c.client = {.max_message_size = 1024 * 1024, .compression = true};
    c.answer = deflate_agreed;
    cases.push_back(c);
  }
  {
    case_spec c = violation(
        "12.3.2", "corrupt deflate data: close 1007",
        {frame(ws::opcode::binary, std::string("\xff\xff\xff\xff garbage", 12), true, 0x4)},
        error::inflate_failed, 1007);
    c.client = {.compression = true};
    c.answer = deflate_agreed;
    cases.push_back(c);
  }
  {
    ws::deflater d(ws::role::server, {});
    case_spec c = violation("12.3.3", "compressed text that inflates to invalid UTF-8: close 1007",
                            {compressed_frame(d, ws::opcode::text, "bad \xed\xa0\x80 surrogate")},
                            error::invalid_utf8, 1007);
    c.client = {.compression = true};
    c.answer = deflate_agreed;
    cases.push_back(c);
  }
  // 12.4.x: answers that break the negotiation fail the open.
  cases.push_back(failed_open(
      "12.4.1", "the server answers permessage-deflate though the client offered nothing",
      deflate_agreed, error::bad_extension_negotiation));
  const options offering{.compression = true};
  cases.push_back(
      failed_open("12.4.2", "the server's answer carries an unknown parameter",
                  {.headers = {{"sec-websocket-extensions", "permessage-deflate; x_unknown=1"}}},
                  error::bad_extension_negotiation, offering));
  cases.push_back(failed_open(
      "12.4.3", "the server's answer has server_max_window_bits out of range (16)",
      {.headers = {{"sec-websocket-extensions", "permessage-deflate; server_max_window_bits=16"}}},
      error::bad_extension_negotiation, offering));
  cases.push_back(failed_open("12.4.4", "the server answers an extension that was never offered",
                              {.headers = {{"sec-websocket-extensions", "x-webkit-deflate-frame"}}},
                              error::bad_extension_negotiation, offering));
  return cases;
}

}  // namespace h2ws::conformance
