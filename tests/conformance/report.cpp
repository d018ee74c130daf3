#include "report.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

namespace h2ws::conformance {

namespace {

// The section of an id: the part before the first '.'.
std::string section_of(const std::string& id) { return id.substr(0, id.find('.')); }

std::string error_name(const boost::system::error_code& ec) {
  if (ec.category() != h2ws::error_category()) return ec.category().name() + (":" + ec.message());
  switch (static_cast<error>(ec.value())) {
    case error::no_extended_connect:
      return "no_extended_connect";
    case error::refused:
      return "refused";
    case error::unexpected_subprotocol:
      return "unexpected_subprotocol";
    case error::tunnel_closed:
      return "tunnel_closed";
    case error::stream_reset:
      return "stream_reset";
    case error::goaway:
      return "goaway";
    case error::connection_lost:
      return "connection_lost";
    case error::timeout:
      return "timeout";
    case error::closed:
      return "closed";
    case error::operation_aborted:
      return "operation_aborted";
    case error::message_too_big:
      return "message_too_big";
    case error::frame_too_big:
      return "frame_too_big";
    case error::bad_opcode:
      return "bad_opcode";
    case error::bad_reserved_bits:
      return "bad_reserved_bits";
    case error::masked_frame:
      return "masked_frame";
    case error::unmasked_frame:
      return "unmasked_frame";
    case error::bad_control_frame:
      return "bad_control_frame";
    case error::bad_continuation:
      return "bad_continuation";
    case error::bad_data_frame:
      return "bad_data_frame";
    case error::bad_frame_length:
      return "bad_frame_length";
    case error::bad_close_frame:
      return "bad_close_frame";
    case error::invalid_utf8:
      return "invalid_utf8";
    case error::http2_protocol_error:
      return "http2_protocol_error";
    case error::bad_url:
      return "bad_url";
    case error::bad_handshake_response:
      return "bad_handshake_response";
    case error::connection_closed:
      return "connection_closed";
    case error::too_many_streams:
      return "too_many_streams";
    case error::bad_close_code:
      return "bad_close_code";
    case error::send_after_close:
      return "send_after_close";
    case error::closed_without_handshake:
      return "closed_without_handshake";
    case error::not_implemented:
      return "not_implemented";
    case error::no_h2_alpn:
      return "no_h2_alpn";
    case error::bad_extension_negotiation:
      return "bad_extension_negotiation";
    case error::inflate_failed:
      return "inflate_failed";
    case error::proxy_refused:
      return "proxy_refused";
    case error::proxy_auth_required:
      return "proxy_auth_required";
    case error::message_not_sent:
      return "message_not_sent";
    case error::send_queue_full:
      return "send_queue_full";
    case error::disconnected:
      return "disconnected";
    case error::gave_up:
      return "gave_up";
  }
  return "h2ws error " + std::to_string(ec.value());
}

// The RFC sections a case checks, by id: the longest entry that is the id or a prefix of it
// (up to a '.') wins, so a subsection's entry covers its cases unless one has its own. A new
// case gets its subsection's (or section's) entry.
const std::vector<std::pair<std::string, std::string>>& rfc_table() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"1", "RFC 6455 5.2, 5.6"},
      {"2", "RFC 6455 5.5.2"},
      {"2.5", "RFC 6455 5.5, 5.5.2"},
      {"2.7", "RFC 6455 5.5.3"},
      {"2.8", "RFC 6455 5.5.3"},
      {"2.9", "RFC 6455 5.5.2, 5.5.3"},
      {"2.13", "RFC 6455 5.5, 5.5.2"},
      {"3", "RFC 6455 5.2"},
      {"4", "RFC 6455 5.2"},
      {"4.3", "RFC 6455 5.2, 5.4"},
      {"5", "RFC 6455 5.4"},
      {"5.1", "RFC 6455 5.4, 5.5"},
      {"5.2", "RFC 6455 5.4, 5.5"},
      {"5.28", "RFC 6455 5.4, 5.5"},
      {"6", "RFC 6455 5.6, 8.1; RFC 3629"},
      {"6.24", "RFC 6455 5.4, 8.1; RFC 3629"},
      {"7", "RFC 6455 5.5.1"},
      {"7.1", "RFC 6455 5.5.1, 7.1.2"},
      {"7.3", "RFC 6455 5.5, 5.5.1"},
      {"7.5", "RFC 6455 5.5.1, 8.1"},
      {"7.7", "RFC 6455 7.4.1, 7.4.2"},
      {"7.7.14", "RFC 6455 7.4.2; IANA WebSocket Close Code Number Registry"},
      {"7.7.15", "RFC 6455 7.4.2; IANA WebSocket Close Code Number Registry"},
      {"7.7.16", "RFC 6455 7.4.2; IANA WebSocket Close Code Number Registry"},
      {"7.9", "RFC 6455 7.4.1, 7.4.2"},
      {"7.13", "RFC 6455 7.4.2"},
      {"7.14", "RFC 6455 5.5.1"},
      {"7.14.1", "RFC 6455 5.5.1, 7.4"},
      {"7.14.2", "RFC 6455 5.5.1, 8.1"},
      {"7.14.5", "RFC 6455 5.5.1, 5.5.2"},
      {"9", "RFC 6455 5.2, 5.4"},
      {"9.9", "RFC 6455 10.4, 7.4.1 (1009)"},
      {"9.9.11", "RFC 6455 5.2"},
      {"9.9.12", "RFC 6455 5.5, 10.4"},
      {"12", "RFC 7692 7.2.2"},
      {"12.1", "RFC 7692 7.1.1, 7.2.2"},
      {"12.2", "RFC 7692 6.1, 7.2.2"},
      {"12.3.1", "RFC 7692 7.2.2; RFC 6455 10.4"},
      {"12.3.2", "RFC 7692 7.2.2"},
      {"12.3.3", "RFC 7692 6; RFC 6455 8.1"},
      {"12.4", "RFC 7692 5, 7.1"},
      {"12.4.4", "RFC 6455 9.1; RFC 7692 5"},
      {"13", "RFC 7692 7.1.2.1"},
      {"13.2", "RFC 7692 7.1.1.1"},
      {"h2.1", "RFC 8441 5; RFC 9113 8.5"},
      {"h2.2", "RFC 6455 4.1; RFC 8441 5"},
      {"h2.3", "none: h2ws's options::open_timeout"},
      {"h2.4", "RFC 9110 9.3.6"},
      {"h2.5", "RFC 9113 6.4, 8.5"},
      {"h2.6", "RFC 6455 7.1.5; RFC 9113 8.5"},
      {"h2.7", "RFC 6455 7.1.5"},
      {"h2.8", "RFC 8441 5"},
      {"h2.9", "RFC 6455 5.1"},
      {"h2.10", "RFC 9113 6.5.2, 10.5.1"},
  };
  return table;
}

// Markdown table cells: no '|' or line breaks.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string section_title(const std::string& section) {
  static const std::map<std::string, std::string> names = {
      {"1", "Framing"},
      {"2", "Pings/Pongs"},
      {"3", "Reserved Bits"},
      {"4", "Opcodes"},
      {"5", "Fragmentation"},
      {"6", "UTF-8 Handling"},
      {"7", "Close Handling"},
      {"9", "Limits/Performance"},
      {"12", "WebSocket Compression (different payloads)"},
      {"13", "WebSocket Compression (different parameters)"},
      {"h2", "HTTP/2 stream (RFC 8441)"}};
  auto it = names.find(section);
  return it == names.end() ? "?" : it->second;
}

std::string rfc_section(const case_spec& c) {
  std::string best;
  std::size_t best_length = 0;
  for (const auto& [prefix, rfc] : rfc_table()) {
    const bool matches = c.id == prefix || c.id.rfind(prefix + ".", 0) == 0;
    if (matches && prefix.size() > best_length) {
      best = rfc;
      best_length = prefix.size();
    }
  }
  return best.empty() ? "?" : best;
}

std::string expectation(const case_spec& c) {
  if (c.expect_open_error) return "the open fails with `" + error_name(*c.expect_open_error) + "`";
  std::string out;
  if (!c.expect_messages.empty())
    out += "delivers " + plural(c.expect_messages.size(), "message", "messages") + ", ";
  if (!c.expect_pongs.empty())
    out += "answers " + plural(c.expect_pongs.size(), "ping", "pings") + " with a pong, ";
  if (c.expect_receive_error == error::closed && c.expect_close_code &&
      *c.expect_close_code == 1005) {
    out += "answers the empty close with an empty close";
  } else if (c.expect_receive_error == error::closed && c.expect_close_code) {
    out += "echoes the close (" + std::to_string(*c.expect_close_code) + ")";
  } else {
    if (c.expect_close_code)
      out += "closes with " + std::to_string(*c.expect_close_code) + ", ";
    else
      out += "sends no close frame, ";
    out += "receive() ends with `" + error_name(c.expect_receive_error) + "`";
    if (c.expect_peer_close_code)
      out += ", peer close code " + std::to_string(c.expect_peer_close_code);
  }
  return out;
}

std::string report(const std::vector<case_spec>& cases, const std::map<std::string, bool>& passed) {
  // Sections in order of first appearance (compression_cases() interleaves 12.x and 13.x),
  // each with its cases in catalogue order.
  struct tally {
    std::string section;
    std::vector<const case_spec*> cases;
    int pass = 0, fail = 0;
  };
  std::vector<tally> sections;
  for (const auto& c : cases) {
    const auto s = section_of(c.id);
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const tally& t) { return t.section == s; });
    if (it == sections.end()) it = sections.insert(sections.end(), tally{s, {}});
    it->cases.push_back(&c);
    if (auto r = passed.find(c.id); r != passed.end()) (r->second ? it->pass : it->fail)++;
  }
  std::size_t total = 0;
  int total_pass = 0, total_fail = 0;
  for (const auto& t : sections) {
    total += t.cases.size();
    total_pass += t.pass;
    total_fail += t.fail;
  }

  std::ostringstream out;
  out << "# Conformance report\n\n"
      << "<!-- Generated by tests/conformance (H2WS_CONFORMANCE_REPORT); do not edit. After a\n"
      << "     change to the catalogue: cmake --build build --target conformance_report -->\n\n"
      << "The h2ws client against a scripted server that puts raw bytes on the RFC 8441 stream\n"
      << "(`tests/conformance/`, run by `ctest -L conformance`): each case, what it checks, what\n"
      << "the client must do, the RFC section, and the result of the run that wrote this file.\n"
      << "Numbering follows the Autobahn|Testsuite sections; `h2.x` are the HTTP/2 stream's own\n"
      << "cases. In every case that opens, the client must also mask every frame it sends and\n"
      << "send only valid frames, and finish within 8 s. The test `docs_conformance_report`\n"
      << "fails when this file no longer matches the catalogue or its results; regenerate it\n"
      << "with `cmake --build build --target conformance_report`.\n\n"
      << "| Section | | Cases | Passed | Failed |\n|---|---|---|---|---|\n";
  for (const auto& t : sections)
    out << "| [" << t.section << ".x](#" << t.section << "x) | " << section_title(t.section)
        << " | " << t.cases.size() << " | " << t.pass << " | " << t.fail << " |\n";
  out << "| | **all** | " << total << " | " << total_pass << " | " << total_fail << " |\n";

  for (const auto& t : sections) {
    out << "\n## " << t.section << ".x\n\n"
        << section_title(t.section) << ".\n\n"
        << "| Case | What it checks | The client must | RFC | Result |\n"
        << "|---|---|---|---|---|\n";
    for (const auto* c : t.cases) {
      const auto it = passed.find(c->id);
      const char* result = it == passed.end() ? "not run" : it->second ? "pass" : "**FAIL**";
      out << "| " << c->id << " | " << cell(c->title) << " | " << cell(expectation(*c)) << " | "
          << cell(rfc_section(*c)) << " | " << result << " |\n";
    }
  }
  return out.str();
}

}  // namespace h2ws::conformance
