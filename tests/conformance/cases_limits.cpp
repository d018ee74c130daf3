// 9.x Limits/Performance: large messages in one frame, in many frames and in many small chunks,
// many small messages in a row, and the client's configured limits (options::max_message_size,
// options::max_frame_size), which are enforced from the frame header with close 1009.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

using ws::opcode;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

std::string size_name(std::size_t n) {
  if (n >= MiB && n % MiB == 0) return std::to_string(n / MiB) + " MiB";
  if (n >= KiB && n % KiB == 0) return std::to_string(n / KiB) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string payload(opcode op, std::size_t size) {
  if (op == opcode::binary) return std::string(size, '\xfe');
  static const std::string pattern = "BAsd7&jh23";
  std::string out;
  out.reserve(size + pattern.size());
  while (out.size() < size) out += pattern;
  out.resize(size);
  return out;
}

message as_message(opcode op, std::string p) {
  return op == opcode::text ? message::text(std::move(p)) : message::binary(std::move(p));
}

const char* kind(opcode op) { return op == opcode::text ? "text" : "binary"; }

// One message of `size` bytes, in frames of `fragment` bytes, sent in chunks of `chunk` bytes.
case_spec big_message(std::string id, opcode op, std::size_t size, std::size_t fragment,
                      std::size_t chunk) {
  auto p = payload(op, size);
  std::string title = std::string(kind(op)) + " message of " + size_name(size);
  title += fragment ? ", in fragments of " + size_name(fragment) : ", in one frame";
  if (chunk) title += ", sent in chunks of " + size_name(chunk);
  auto chunks = chunks_of(fragmented(op, p, fragment), chunk);
  return delivered(std::move(id), std::move(title), std::move(chunks),
                   {as_message(op, std::move(p))});
}

// The client fails with `e` and close 1009, using the `client` limits.
case_spec too_big(std::string id, std::string title, options client,
                  std::vector<std::string> chunks, error e, std::vector<message> messages = {}) {
  case_spec c =
      violation(std::move(id), std::move(title), std::move(chunks), e, 1009, std::move(messages));
  c.client = std::move(client);
  return c;
}

}  // namespace

std::vector<case_spec> large_message_cases() {
  std::vector<case_spec> cases;
  const std::size_t sizes[] = {64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB};
  const std::size_t fragments[] = {64,       256,       1 * KiB, 4 * KiB, 16 * KiB,
                                   64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB};

  // 9.1.x / 9.2.x: one frame, growing sizes.
  for (auto [group, op] : {std::pair{"9.1.", opcode::text}, {"9.2.", opcode::binary}}) {
    int n = 1;
    for (auto size : sizes)
      cases.push_back(big_message(group + std::to_string(n++), op, size, 0, 0));
  }
  // 9.3.x / 9.4.x: 4 MiB in fragments of 64 bytes up to 4 MiB.
  for (auto [group, op] : {std::pair{"9.3.", opcode::text}, {"9.4.", opcode::binary}}) {
    int n = 1;
    for (auto fragment : fragments)
      cases.push_back(big_message(group + std::to_string(n++), op, 4 * MiB, fragment, 0));
  }
  // 9.5.x / 9.6.x: messages, in one frame or many, cut into many chunks (many reads).
  for (auto [group, op] : {std::pair{"9.5.", opcode::text}, {"9.6.", opcode::binary}}) {
    int n = 1;
    for (auto [size, fragment, chunk] : {std::tuple{64 * KiB, std::size_t{0}, 4 * KiB},
                                         {256 * KiB, 4 * KiB, 4 * KiB},
                                         {1 * MiB, 0, 4 * KiB},
                                         {1 * MiB, 64 * KiB, 64 * KiB},
                                         {4 * MiB, 64 * KiB, 4 * KiB},
                                         {16 * MiB, 64 * KiB, 64 * KiB}}) {
      cases.push_back(big_message(group + std::to_string(n++), op, size, fragment, chunk));
    }
  }
  // 9.7.x / 9.8.x: 1000 messages in a row.
  for (auto [group, op] : {std::pair{"9.7.", opcode::text}, {"9.8.", opcode::binary}}) {
    int n = 1;
    for (std::size_t size : {0, 16, 64, 256, 1024, 4096}) {
      std::string frames;
      std::vector<message> messages;
      for (int i = 0; i < 1000; ++i) {
        auto p = payload(op, size);
        if (!p.empty()) p[0] = static_cast<char>('a' + i % 26);  // tell the messages apart
        frames += frame(op, p);
        messages.push_back(as_message(op, std::move(p)));
      }
      cases.push_back(delivered(
          group + std::to_string(n++),
          "1000 " + std::string(kind(op)) + " messages of " + size_name(size) + " in a row",
          chunks_of(std::move(frames), 64 * KiB), std::move(messages)));
    }
  }

  // 9.9.x (h2ws): the configured limits. Exceeding one closes with 1009 as soon as the frame
  // header is in: the server sends the header and a few payload bytes, never the rest.
  options one_mib;
  one_mib.max_message_size = 1 * MiB;
  cases.push_back(delivered("9.9.1", "max_message_size 1 MiB: a message of exactly 1 MiB",
                            {frame(opcode::binary, payload(opcode::binary, 1 * MiB))},
                            {message::binary(payload(opcode::binary, 1 * MiB))}));
  cases.back().client = one_mib;
  cases.push_back(too_big("9.9.2",
                          "max_message_size 1 MiB: a 2 MiB binary frame fails at its header "
                          "(the payload never comes)",
                          one_mib, {frame_header(0x82, 2 * MiB) + "payload"},
                          error::message_too_big));
  cases.push_back(too_big("9.9.3", "max_message_size 1 MiB: a 2 MiB text frame fails at its header",
                          one_mib, {frame_header(0x81, 2 * MiB) + "payload"},
                          error::message_too_big));
  cases.push_back(too_big("9.9.4", "max_message_size 1 MiB: a frame of 1 MiB + 1 byte", one_mib,
                          {frame_header(0x82, 1 * MiB + 1)}, error::message_too_big));
  {
    // 16 fragments of 64 KiB reach the limit exactly; the 17th fragment's header exceeds it.
    std::string frames;
    const auto part = payload(opcode::binary, 64 * KiB);
    for (int i = 0; i < 16; ++i)
      frames += frame(i == 0 ? opcode::binary : opcode::continuation, part, false);
    cases.push_back(too_big("9.9.5",
                            "max_message_size 1 MiB: a message in 64 KiB fragments fails at the "
                            "header of the fragment that crosses 1 MiB",
                            one_mib, {frames + frame_header(0x80, 64 * KiB) + "more"},
                            error::message_too_big));
  }
  cases.push_back(too_big(
      "9.9.6",
      "max_message_size 1 MiB: a 1 MiB message is delivered, then a 2 MiB "
      "one fails",
      one_mib, {frame(opcode::text, payload(opcode::text, 1 * MiB)) + frame_header(0x81, 2 * MiB)},
      error::message_too_big, {message::text(payload(opcode::text, 1 * MiB))}));
  {
    case_spec c =
        delivered("9.9.7", "max_message_size 1 MiB applies per message: three of 1 MiB",
                  {fragmented(opcode::binary, payload(opcode::binary, 1 * MiB), 0) +
                   frame(opcode::text, payload(opcode::text, 1 * MiB)) +
                   fragmented(opcode::binary, payload(opcode::binary, 1 * MiB), 256 * KiB)},
                  {message::binary(payload(opcode::binary, 1 * MiB)),
                   message::text(payload(opcode::text, 1 * MiB)),
                   message::binary(payload(opcode::binary, 1 * MiB))});
    c.client = one_mib;
    cases.push_back(c);
  }
  options frame_64k;
  frame_64k.max_frame_size = 64 * KiB;
  {
    case_spec c = big_message("9.9.8", opcode::binary, 1 * MiB, 64 * KiB, 0);
    c.title = "max_frame_size 64 KiB: a 1 MiB message in fragments of 64 KiB is delivered";
    c.client = frame_64k;
    cases.push_back(c);
  }
  cases.push_back(
      too_big("9.9.9", "max_frame_size 64 KiB: a frame of 64 KiB + 1 byte fails at its header",
              frame_64k, {frame_header(0x82, 64 * KiB + 1) + "payload"}, error::frame_too_big));
  cases.push_back(too_big("9.9.10",
                          "max_frame_size 64 KiB: a 64 KiB message is delivered, then a "
                          "continuation of 128 KiB fails",
                          frame_64k,
                          {frame(opcode::binary, payload(opcode::binary, 64 * KiB)) +
                           frame(opcode::text, "start", false) + frame_header(0x80, 128 * KiB)},
                          error::frame_too_big,
                          {message::binary(payload(opcode::binary, 64 * KiB))}));
  {
    // RFC 6455 5.2: the most significant bit of a 64-bit length must be 0. That is a protocol
    // error (1002), whatever the size limits would say about such a length.
    std::string header = frame_header(0x82, 1 * MiB);
    header[2] = static_cast<char>(0x80);
    cases.push_back(
        violation("9.9.11", "a 64-bit payload length with its most significant bit set: close 1002",
                  {header + "payload"}, error::bad_frame_length, 1002));
  }
  {
    options tiny;
    tiny.max_message_size = 16;
    case_spec c = delivered(
        "9.9.12",
        "max_message_size 16 bytes: control frames are not messages, a "
        "125-byte ping is answered and a 123-byte close reason accepted",
        {frame(opcode::ping, std::string(125, 'p')) + frame(opcode::text, std::string(16, 't'))},
        {message::text(std::string(16, 't'))}, {std::string(125, 'p')});
    c.chunks.back() = close_frame(1000, std::string(123, 'r'));
    c.client = tiny;
    cases.push_back(c);
  }
  return cases;
}

}  // namespace h2ws::conformance
