// The conformance report: docs/conformance.md, generated from the catalogue and the results
// of a run (test_conformance.cpp writes it when H2WS_CONFORMANCE_REPORT names a file).
#pragma once

#include "conformance_case.hpp"

#include <map>
#include <string>
#include <vector>

namespace h2ws::conformance {

/// The title of an Autobahn-style section ("1" -> "Framing").
std::string section_title(const std::string& section);
/// The RFC section(s) `c` checks (a table by id in report.cpp; a new case gets its
/// subsection's entry).
std::string rfc_section(const case_spec& c);
/// What the client must do in `c`, in words, from its expectations.
std::string expectation(const case_spec& c);
/// The report in Markdown: a summary per section, then every case with what it checks, what
/// the client must do, the RFC section and the result (`passed`: id -> passed; a case that
/// is not in it is "not run").
std::string report(const std::vector<case_spec>& cases, const std::map<std::string, bool>& passed);

}  // namespace h2ws::conformance
