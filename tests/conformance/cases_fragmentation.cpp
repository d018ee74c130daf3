// 5.x Fragmentation (RFC 6455 5.4): data messages may be fragmented and control frames may come
// between the fragments; control frames may not be fragmented, a continuation needs a message in
// progress and a new text/binary frame may not start inside one. Violations close with 1002.
#include "catalogue.hpp"

namespace h2ws::conformance {

namespace {

using ws::opcode;

std::string fragment(opcode op, std::string_view payload, bool fin) {
  return frame(op, payload, fin);
}

// The same frames sent three ways: in one chunk, one chunk per frame, one chunk per byte.
enum class chops { one, per_frame, per_octet };

std::vector<std::string> chop(const std::vector<std::string>& frames, chops how) {
  std::string all;
  for (const auto& f : frames) all += f;
  switch (how) {
    case chops::one:
      return {all};
    case chops::per_frame:
      return frames;
    case chops::per_octet:
      return octets(all);
  }
  return {};
}

const char* chop_name(chops how) {
  switch (how) {
    case chops::one:
      return "in one chunk";
    case chops::per_frame:
      return "one chunk per frame";
    case chops::per_octet:
      return "in 1-byte chunks";
  }
  return "";
}

}  // namespace

std::vector<case_spec> fragmentation_cases() {
  std::vector<case_spec> cases;
  const auto two_fragments = message::text("fragment1fragment2");

  cases.push_back(violation("5.1", "ping fragmented into 2 frames: close 1002, no pong",
                            {fragment(opcode::ping, "fragment1", false) +
                             fragment(opcode::continuation, "fragment2", true)},
                            error::bad_control_frame, 1002));
  cases.push_back(violation("5.2", "pong fragmented into 2 frames: close 1002",
                            {fragment(opcode::pong, "fragment1", false) +
                             fragment(opcode::continuation, "fragment2", true)},
                            error::bad_control_frame, 1002));

  const std::vector<std::string> text_in_two = {fragment(opcode::text, "fragment1", false),
                                                fragment(opcode::continuation, "fragment2", true)};
  int n = 3;
  for (auto how : {chops::one, chops::per_frame, chops::per_octet}) {
    cases.push_back(delivered("5." + std::to_string(n++),
                              std::string("text message in 2 fragments, ") + chop_name(how),
                              chop(text_in_two, how), {two_fragments}));
  }

  const std::vector<std::string> ping_between = {fragment(opcode::text, "fragment1", false),
                                                 fragment(opcode::ping, "pongme!", true),
                                                 fragment(opcode::continuation, "fragment2", true)};
  for (auto how : {chops::one, chops::per_frame, chops::per_octet}) {
    cases.push_back(delivered("5." + std::to_string(n++),
                              std::string("text message in 2 fragments with a ping between, ") +
                                  chop_name(how) + ": pong, then the message",
                              chop(ping_between, how), {two_fragments}, {"pongme!"}));
  }

  // Continuations with nothing to continue, FIN set (5.9-5.11) and clear (5.12-5.14).
  for (bool fin : {true, false}) {
    const std::vector<std::string> stray = {fragment(opcode::continuation, "fragment1", fin),
                                            fragment(opcode::text, "fragment2", true),
                                            fragment(opcode::continuation, "fragment3", true)};
    for (auto how : {chops::one, chops::per_frame, chops::per_octet}) {
      cases.push_back(violation("5." + std::to_string(n++),
                                std::string("continuation (FIN ") + (fin ? "set" : "clear") +
                                    ") with nothing to continue, " + chop_name(how) +
                                    ": close 1002",
                                chop(stray, how), error::bad_continuation, 1002));
    }
  }

  cases.push_back(violation(
      "5.15",
      "a text message in 2 fragments, then a stray continuation: the message, then close 1002",
      {fragment(opcode::text, "fragment1", false) +
       fragment(opcode::continuation, "fragment2", true) +
       fragment(opcode::continuation, "fragment3", false) +
       fragment(opcode::text, "fragment4", true)},
      error::bad_continuation, 1002, {two_fragments}));
  for (bool fin : {false, true}) {
    std::string twice;
    for (int i = 0; i < 2; ++i) {
      twice += fragment(opcode::continuation, "fragment1", fin) +
               fragment(opcode::text, "fragment2", false) +
               fragment(opcode::continuation, "fragment3", true);
    }
    cases.push_back(violation(fin ? "5.17" : "5.16",
                              std::string("twice: a stray continuation (FIN ") +
                                  (fin ? "set" : "clear") +
                                  "), then a text message in 2 fragments: close 1002 at once",
                              {twice}, error::bad_continuation, 1002));
  }
  cases.push_back(violation(
      "5.18", "text message in 2 fragments, both with the text opcode: close 1002",
      {fragment(opcode::text, "fragment1", false) + fragment(opcode::text, "fragment2", true)},
      error::bad_data_frame, 1002));

  const std::vector<std::string> five_with_pings = {
      fragment(opcode::text, "fragment1", false),
      fragment(opcode::continuation, "fragment2", false),
      fragment(opcode::ping, "pongme 1!", true),
      fragment(opcode::continuation, "fragment3", false),
      fragment(opcode::continuation, "fragment4", false),
      fragment(opcode::ping, "pongme 2!", true),
      fragment(opcode::continuation, "fragment5", true)};
  const auto five = message::text("fragment1fragment2fragment3fragment4fragment5");
  cases.push_back(
      delivered("5.19", "text message in 5 fragments with 2 pings between, one chunk per frame",
                chop(five_with_pings, chops::per_frame), {five}, {"pongme 1!", "pongme 2!"}));
  cases.push_back(delivered("5.20", "as 5.19, in 1-byte chunks",
                            chop(five_with_pings, chops::per_octet), {five},
                            {"pongme 1!", "pongme 2!"}));

  // 5.21+ (h2ws).
  {
    std::string whole;
    for (int i = 0; i < 100; ++i) whole += std::string(10, static_cast<char>(i));
    cases.push_back(delivered("5.21", "binary message in 100 fragments of 10 bytes",
                              {fragmented(opcode::binary, whole, 10)}, {message::binary(whole)}));
  }
  cases.push_back(
      delivered("5.22", "binary message of 3 empty fragments: an empty binary message",
                {fragment(opcode::binary, "", false) + fragment(opcode::continuation, "", false) +
                 fragment(opcode::continuation, "", true)},
                {message::binary("")}));
  cases.push_back(delivered(
      "5.23", "empty fragments around data: first, middle and last",
      {fragment(opcode::binary, "", false) + fragment(opcode::continuation, "ab", false) +
       fragment(opcode::continuation, "", false) + fragment(opcode::continuation, "cd", false) +
       fragment(opcode::continuation, "", true)},
      {message::binary("abcd")}));
  cases.push_back(violation(
      "5.24", "a binary frame inside a fragmented text message: close 1002",
      {fragment(opcode::text, "fragment1", false) + fragment(opcode::binary, "fragment2", true)},
      error::bad_data_frame, 1002));
  cases.push_back(violation(
      "5.25", "a text frame inside a fragmented binary message, after a ping: pong, close 1002",
      {fragment(opcode::binary, "fragment1", false) + fragment(opcode::ping, "p", true) +
       fragment(opcode::text, "fragment2", false)},
      error::bad_data_frame, 1002, {}, {"p"}));
  cases.push_back(delivered(
      "5.26", "unsolicited pong between fragments: ignored, the message delivered",
      {fragment(opcode::text, "fragment1", false) + fragment(opcode::pong, "ignored", true) +
       fragment(opcode::continuation, "fragment2", true)},
      {two_fragments}));
  cases.push_back(delivered(
      "5.27", "a fragmented binary message, then a text one, then a fragmented text one",
      {fragment(opcode::binary, "\x01\x02", false) + fragment(opcode::continuation, "\x03", true) +
       fragment(opcode::text, "middle", true) + fragment(opcode::text, "fragment1", false) +
       fragment(opcode::continuation, "fragment2", true)},
      {message::binary("\x01\x02\x03"), message::text("middle"), two_fragments}));
  cases.push_back(violation(
      "5.28",
      "a message, an unfinished text message, then a fragmented ping: the message, close 1002",
      {frame(opcode::text, "whole") + fragment(opcode::text, "part", false) +
       fragment(opcode::ping, "frag", false)},
      error::bad_control_frame, 1002, {message::text("whole")}));
  return cases;
}

}  // namespace h2ws::conformance
