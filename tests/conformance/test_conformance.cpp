// Runs every catalogue case as one test and prints an Autobahn-style summary per section.
#include "catalogue.hpp"
#include "report.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace h2ws::conformance {
namespace {

struct section_tally {
  int passed = 0;
  int failed = 0;
};
std::map<std::string, section_tally>& tallies() {
  static std::map<std::string, section_tally> t;
  return t;
}
// Case id -> passed, for the report.
std::map<std::string, bool>& results() {
  static std::map<std::string, bool> r;
  return r;
}

class summary_printer : public ::testing::Environment {
 public:
  void TearDown() override {
    std::cout << "\nh2ws conformance summary (client side, Autobahn numbering)\n";
    int total_passed = 0, total_failed = 0;
    for (const auto& [section, t] : tallies()) {
      std::cout << "  " << section << ".x  " << section_title(section) << ": " << t.passed << "/"
                << (t.passed + t.failed) << " passed\n";
      total_passed += t.passed;
      total_failed += t.failed;
    }
    std::cout << "  all: " << total_passed << "/" << (total_passed + total_failed) << " passed\n\n";
    // H2WS_CONFORMANCE_REPORT=FILE: write docs/conformance.md's text there.
    if (const char* path = std::getenv("H2WS_CONFORMANCE_REPORT"); path && *path) {
      std::ofstream file(path, std::ios::binary | std::ios::trunc);
      file << report(all_cases(), results());
      file.close();
      if (!file) {
        std::cerr << "cannot write the conformance report to " << path << "\n";
        std::exit(1);
      }
      std::cout << "conformance report written to " << path << "\n";
    }
  }
};
const auto* registered = ::testing::AddGlobalTestEnvironment(new summary_printer);

std::string describe(const boost::system::error_code& ec) {
  std::ostringstream s;
  s << ec.category().name() << ":" << ec.value() << " (" << ec.message() << ")";
  return s.str();
}

class Autobahn : public ::testing::TestWithParam<case_spec> {};

// Verifies, case by case, that the client does what RFC 6455 and RFC 8441 require.
TEST_P(Autobahn, Case) {
  const auto& spec = GetParam();
  SCOPED_TRACE("case " + spec.id + ": " + spec.title);
  auto out = run_case(spec);

  if (spec.expect_open_error) {
    EXPECT_EQ(out.open_error, *spec.expect_open_error)
        << "open: " << describe(out.open_error) << " expected "
        << describe(*spec.expect_open_error);
  } else {
    EXPECT_FALSE(out.open_error) << "open failed: " << describe(out.open_error);
    ASSERT_EQ(out.messages.size(), spec.expect_messages.size());
    for (std::size_t i = 0; i < out.messages.size(); ++i) {
      EXPECT_EQ(out.messages[i].type(), spec.expect_messages[i].type()) << "message " << i;
      EXPECT_TRUE(out.messages[i].text() == spec.expect_messages[i].text())
          << "message " << i << " differs (" << out.messages[i].size() << " vs "
          << spec.expect_messages[i].size() << " bytes)";
    }
    EXPECT_EQ(out.receive_error, spec.expect_receive_error)
        << "receive: " << describe(out.receive_error) << " expected "
        << describe(spec.expect_receive_error);
    EXPECT_EQ(out.close_code_on_wire, spec.expect_close_code)
        << "close code on the wire: "
        << (out.close_code_on_wire ? std::to_string(*out.close_code_on_wire) : "none");
    EXPECT_EQ(out.pongs, spec.expect_pongs);
    EXPECT_TRUE(out.client_frames_masked) << "the client sent an unmasked frame";
    EXPECT_TRUE(out.client_frames_valid) << "the client sent an invalid frame";
    if (spec.expect_peer_close_code) {
      EXPECT_EQ(out.peer_close_code, spec.expect_peer_close_code);
    }
  }
  EXPECT_LT(out.took, std::chrono::seconds(8)) << "the case hung until the deadline";

  bool failed = HasFailure();
  auto section = spec.id.substr(0, spec.id.find('.'));
  auto& t = tallies()[section];
  (failed ? t.failed : t.passed)++;
  results()[spec.id] = !failed;
}

std::string case_name(const ::testing::TestParamInfo<case_spec>& info) {
  std::string name = "case_" + info.param.id;
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, Autobahn, ::testing::ValuesIn(all_cases()), case_name);

// Verifies that the report can say, for every case, which RFC section it checks, and that
// case ids are unique (the report and the filters go by id).
TEST(Catalogue, EveryCaseHasAnRfcSectionAndAUniqueId) {
  std::set<std::string> ids;
  for (const auto& c : all_cases()) {
    EXPECT_NE(rfc_section(c), "?") << "case " << c.id << ": add it to rfc_table() in report.cpp";
    EXPECT_TRUE(ids.insert(c.id).second) << "case id " << c.id << " is used twice";
  }
}

}  // namespace
}  // namespace h2ws::conformance
