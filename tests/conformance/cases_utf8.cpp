// 6.x UTF-8 handling: text messages must be valid UTF-8 (RFC 6455 5.6, 8.1; RFC 3629). Invalid
// text fails the websocket with 1007, as soon as the offending byte arrives (fail fast), even in
// the middle of a frame or of a fragmented message whose rest is never sent.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

using namespace std::string_literals;
using ws::opcode;

// "κόσμε": 11 bytes of 2- and 3-byte sequences.
const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"s;

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < 16; ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  if (bytes.size() > 16) out += "...";
  return out;
}

// The server sends `chunks` and then nothing more but waits: the client must fail with 1007
// on what it has, without waiting for the rest of the message.
case_spec invalid_text(std::string id, std::string title, std::vector<std::string> chunks,
                       std::vector<message> messages = {}) {
  return violation(std::move(id), std::move(title), std::move(chunks), error::invalid_utf8, 1007,
                   std::move(messages));
}

struct sample {
  bool valid;
  std::string bytes;
};
struct sample_group {
  const char* name;
  std::vector<sample> samples;
};

// The groups of Autobahn 6.5-6.23, in order (after Markus Kuhn's UTF-8-test.txt).
std::vector<sample_group> utf8_samples() {
  std::vector<sample_group> groups;
  groups.push_back({"some valid UTF-8 sequences",
                    {{true, "hello\x24world"},
                     {true, "hello\xc2\xa2world"},
                     {true, "hello\xe2\x82\xacworld"},
                     {true, "hello\xf0\xa4\xad\xa2world"},
                     {true, kosme}}});
  {
    sample_group prefixes{"all prefixes of a valid string with multi-byte code points", {}};
    // Code points of "κόσμε" end after bytes 2, 5, 7, 9 and 11.
    for (std::size_t n = 1; n <= kosme.size(); ++n) {
      bool boundary = n == 2 || n == 5 || n == 7 || n == 9 || n == 11;
      prefixes.samples.push_back({boundary, kosme.substr(0, n)});
    }
    groups.push_back(prefixes);
  }
  groups.push_back(
      {"first possible sequence of a certain length",
       {{true, "\x00"s}, {true, "\xc2\x80"}, {true, "\xe0\xa0\x80"}, {true, "\xf0\x90\x80\x80"}}});
  groups.push_back({"first possible sequence of length 5/6 (invalid code points)",
                    {{false, "\xf8\x88\x80\x80\x80"}, {false, "\xfc\x84\x80\x80\x80\x80"}}});
  groups.push_back(
      {"last possible sequence of a certain length",
       {{true, "\x7f"}, {true, "\xdf\xbf"}, {true, "\xef\xbf\xbf"}, {true, "\xf4\x8f\xbf\xbf"}}});
  groups.push_back({"last possible sequence of length 4/5/6 (invalid code points)",
                    {{false, "\xf7\xbf\xbf\xbf"},
                     {false, "\xfb\xbf\xbf\xbf\xbf"},
                     {false, "\xfd\xbf\xbf\xbf\xbf\xbf"}}});
  groups.push_back({"other boundary conditions",
                    {{true, "\xed\x9f\xbf"},
                     {true, "\xee\x80\x80"},
                     {true, "\xef\xbf\xbd"},
                     {true, "\xf4\x8f\xbf\xbf"},
                     {false, "\xf4\x90\x80\x80"}}});
  {
    std::string all;
    for (int b = 0x80; b < 0xbf; ++b) all += static_cast<char>(b);
    groups.push_back({"unexpected continuation bytes",
                      {{false, "\x80"},
                       {false, "\xbf"},
                       {false, "\x80\xbf"},
                       {false, "\x80\xbf\x80"},
                       {false, "\x80\xbf\x80\xbf"},
                       {false, "\x80\xbf\x80\xbf\x80"},
                       {false, "\x80\xbf\x80\xbf\x80\xbf"},
                       {false, all}}});
  }
  {
    sample_group lonely{"lonely start characters (each followed by a space)", {}};
    for (auto [from, to] :
         {std::pair{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}}) {
      std::string s;
      for (int b = from; b < to; ++b) {
        s += static_cast<char>(b);
        s += ' ';
      }
      lonely.samples.push_back({false, s});
    }
    groups.push_back(lonely);
  }
  const std::vector<std::string> incomplete = {
      "\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
      "\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"};
  {
    sample_group missing{"sequences with the last continuation byte missing", {}};
    std::string all;
    for (const auto& s : incomplete) {
      missing.samples.push_back({false, s});
      all += s;
    }
    groups.push_back(missing);
    groups.push_back({"concatenation of incomplete sequences", {{false, all}}});
  }
  groups.push_back(
      {"impossible bytes", {{false, "\xfe"}, {false, "\xff"}, {false, "\xfe\xfe\xff\xff"}}});
  groups.push_back({"overlong ASCII character",
                    {{false, "\xc0\xaf"},
                     {false, "\xe0\x80\xaf"},
                     {false, "\xf0\x80\x80\xaf"},
                     {false, "\xf8\x80\x80\x80\xaf"},
                     {false, "\xfc\x80\x80\x80\x80\xaf"}}});
  groups.push_back({"maximum overlong sequences",
                    {{false, "\xc1\xbf"},
                     {false, "\xe0\x9f\xbf"},
                     {false, "\xf0\x8f\xbf\xbf"},
                     {false, "\xf8\x87\xbf\xbf\xbf"},
                     {false, "\xfc\x83\xbf\xbf\xbf\xbf"}}});
  groups.push_back({"overlong NUL",
                    {{false, "\xc0\x80"},
                     {false, "\xe0\x80\x80"},
                     {false, "\xf0\x80\x80\x80"},
                     {false, "\xf8\x80\x80\x80\x80"},
                     {false, "\xfc\x80\x80\x80\x80\x80"}}});
  groups.push_back({"single UTF-16 surrogates",
                    {{false, "\xed\xa0\x80"},
                     {false, "\xed\xad\xbf"},
                     {false, "\xed\xae\x80"},
                     {false, "\xed\xaf\xbf"},
                     {false, "\xed\xb0\x80"},
                     {false, "\xed\xbe\x80"},
                     {false, "\xed\xbf\xbf"}}});
  groups.push_back({"paired UTF-16 surrogates",
                    {{false, "\xed\xa0\x80\xed\xb0\x80"},
                     {false, "\xed\xa0\x80\xed\xbf\xbf"},
                     {false, "\xed\xad\xbf\xed\xb0\x80"},
                     {false, "\xed\xad\xbf\xed\xbf\xbf"},
                     {false, "\xed\xae\x80\xed\xb0\x80"},
                     {false, "\xed\xae\x80\xed\xbf\xbf"},
                     {false, "\xed\xaf\xbf\xed\xb0\x80"},
                     {false, "\xed\xaf\xbf\xed\xbf\xbf"}}});
  {
    // Noncharacters are valid UTF-8 (RFC 3629): U+FFFE, U+FFFF and the last two of each plane.
    sample_group nonchars{"noncharacter code points (valid UTF-8)",
                          {{true, "\xef\xbf\xbe"}, {true, "\xef\xbf\xbf"}}};
    for (char z1 : {'\xf0', '\xf1', '\xf2', '\xf3', '\xf4'}) {
      for (char z2 : {'\x8f', '\x9f', '\xaf', '\xbf'}) {
        if (z1 == '\xf4' && z2 != '\x8f') continue;  // above U+10FFFF
        if (z1 == '\xf0' && z2 == '\x8f') continue;  // overlong
        for (char z3 : {'\xbe', '\xbf'}) nonchars.samples.push_back({true, {z1, z2, '\xbf', z3}});
      }
    }
    groups.push_back(nonchars);
  }
  groups.push_back({"Unicode specials (replacement character etc.)",
                    {{true, "\xef\xbf\xb9"},
                     {true, "\xef\xbf\xba"},
                     {true, "\xef\xbf\xbb"},
                     {true, "\xef\xbf\xbc"},
                     {true, "\xef\xbf\xbd"},
                     {true, "\xef\xbf\xbe"},
                     {true, "\xef\xbf\xbf"}}});
  return groups;
}

}  // namespace

std::vector<case_spec> utf8_cases() {
  std::vector<case_spec> cases;

  // 6.1.x: empty text.
  cases.push_back(delivered("6.1.1", "text message of length 0", {frame(opcode::text, "")},
                            {message::text("")}));
  cases.push_back(
      delivered("6.1.2", "text message in 3 empty fragments",
                {frame(opcode::text, "", false) + frame(opcode::continuation, "", false) +
                 frame(opcode::continuation, "", true)},
                {message::text("")}));
  cases.push_back(delivered(
      "6.1.3", "text message in 3 fragments, first and last empty",
      {frame(opcode::text, "", false) + frame(opcode::continuation, "middle frame payload", false) +
       frame(opcode::continuation, "", true)},
      {message::text("middle frame payload")}));

  // 6.2.x: valid multi-byte text, whole and cut inside code points.
  const std::string hello =
      "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
  cases.push_back(delivered("6.2.1", "valid UTF-8 text in one frame", {frame(opcode::text, hello)},
                            {message::text(hello)}));
  cases.push_back(delivered("6.2.2",
                            "valid UTF-8 text in 2 fragments, cut on a code point boundary",
                            {frame(opcode::text, hello.substr(0, 11), false) +
                             frame(opcode::continuation, hello.substr(11), true)},
                            {message::text(hello)}));
  cases.push_back(delivered("6.2.3",
                            "valid UTF-8 text in 1-byte fragments (most cut inside a code point)",
                            {fragmented(opcode::text, hello, 1)}, {message::text(hello)}));
  cases.push_back(delivered("6.2.4", "\"kosme\" (2- and 3-byte sequences) in 1-byte fragments",
                            {fragmented(opcode::text, kosme, 1)}, {message::text(kosme)}));

  // 6.3.x: an encoded surrogate (ED A0 80) in the middle of the text.
  const std::string surrogate_text = kosme + "\xed\xa0\x80" + "edited";
  cases.push_back(invalid_text("6.3.1", "text with an encoded surrogate (ED A0 80), one frame",
                               {frame(opcode::text, surrogate_text)}));
  cases.push_back(invalid_text("6.3.2", "text with an encoded surrogate, in 1-byte fragments",
                               {fragmented(opcode::text, surrogate_text, 1)}));

  // 6.4.x fail fast: the part that makes the text invalid is sent, the rest never is.
  const std::string too_high = "\xf4\x90\x80\x80";  // U+110000, above U+10FFFF
  cases.push_back(invalid_text(
      "6.4.1",
      "fail fast: a valid fragment, then one with F4 90 80 80 (above "
      "U+10FFFF); the final fragment never comes",
      {frame(opcode::text, kosme, false), frame(opcode::continuation, too_high, false)}));
  cases.push_back(invalid_text(
      "6.4.2",
      "fail fast: fragments end after F4, then after 90 (the invalid "
      "byte); the rest never comes",
      {frame(opcode::text, kosme + "\xf4", false), frame(opcode::continuation, "\x90", false)}));
  const std::size_t whole_length = kosme.size() + too_high.size() + 6;
  cases.push_back(invalid_text("6.4.3",
                               "fail fast inside one frame: its header announces the whole text, "
                               "F4 90 80 80 arrives, the rest of the payload never does",
                               {frame_header(0x81, whole_length) + kosme, too_high}));
  cases.push_back(invalid_text("6.4.4", "as 6.4.3, the invalid sequence arriving byte by byte",
                               {frame_header(0x81, whole_length) + kosme, "\xf4", "\x90"}));

  // 6.5.x-6.23.x: the sample groups, each text in one frame.
  int group_number = 5;
  for (const auto& group : utf8_samples()) {
    int n = 1;
    for (const auto& s : group.samples) {
      auto id = "6." + std::to_string(group_number) + "." + std::to_string(n++);
      auto title = std::string(group.name) + ": " + hex(s.bytes) + (s.valid ? " (valid)" : "");
      if (s.valid) {
        cases.push_back(
            delivered(id, title, {frame(opcode::text, s.bytes)}, {message::text(s.bytes)}));
      } else {
        cases.push_back(invalid_text(id, title, {frame(opcode::text, s.bytes)}));
      }
    }
    ++group_number;
  }

  // 6.24.x (h2ws): fragments and chunks cut inside code points, validation state across frames.
  const std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600
  cases.push_back(delivered(
      "6.24.1", "a 4-byte code point cut over 4 fragments, a ping between: pong, then the text",
      {frame(opcode::text, "a" + emoji.substr(0, 1), false) +
           frame(opcode::continuation, emoji.substr(1, 1), false),
       frame(opcode::ping, "between"),
       frame(opcode::continuation, emoji.substr(2, 1), false) +
           frame(opcode::continuation, emoji.substr(3, 1) + "z", true)},
      {message::text("a" + emoji + "z")}, {"between"}));
  cases.push_back(invalid_text(
      "6.24.2", "the final fragment ends inside a code point (E2 82 of U+20AC)",
      {frame(opcode::text, "ab\xe2", false) + frame(opcode::continuation, "\x82", true)}));
  cases.push_back(invalid_text("6.24.3",
                               "fail fast: an overlong C0 AF in the first fragment (FIN clear), "
                               "nothing follows",
                               {frame(opcode::text, "ok\xc0\xaf", false)}));
  cases.push_back(invalid_text("6.24.4",
                               "fail fast: a lone continuation byte in the first 10 bytes of a "
                               "frame announcing 1000",
                               {frame_header(0x81, 1000) + "valid\x80text"}));
  cases.push_back(invalid_text("6.24.5",
                               "a valid text message, then an invalid one: the first is "
                               "delivered, then close 1007",
                               {frame(opcode::text, kosme) + frame(opcode::text, "\xed\xbf\xbf")},
                               {message::text(kosme)}));
  cases.push_back(
      delivered("6.24.6", "binary messages are not checked: invalid UTF-8 as binary",
                {frame(opcode::binary, "\xc0\xaf\xed\xa0\x80\xff") + frame(opcode::text, emoji)},
                {message::binary("\xc0\xaf\xed\xa0\x80\xff"), message::text(emoji)}));
  cases.push_back(invalid_text("6.24.7",
                               "a single-frame text ends inside a 4-byte code point (F0 9F 98)",
                               {frame(opcode::text, emoji.substr(0, 3))}));
  cases.push_back(delivered("6.24.8", "a valid multi-byte text sent in 1-byte chunks (one frame)",
                            octets(frame(opcode::text, kosme + emoji + hello)),
                            {message::text(kosme + emoji + hello)}));
  cases.push_back(invalid_text(
      "6.24.9", "the invalid byte split from its lead by a chunk boundary (ED | A0 80)",
      {frame_header(0x81, surrogate_text.size()) + kosme + "\xed",
       surrogate_text.substr(kosme.size() + 1, 1)}));
  return cases;
}

}  // namespace h2ws::conformance
