#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/core.h>

namespace h2ws::bench {

namespace {

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

}  // namespace

json_line& json_line::add(std::string_view key, std::string_view text) {
  fields_.push_back({std::string(key), quoted(text), std::nullopt});
  return *this;
}

json_line& json_line::add(std::string_view key, double number, int decimals) {
  // JSON has no NaN or infinity; a measurement that produced one is reported as 0.
  if (!std::isfinite(number)) number = 0;
  fields_.push_back({std::string(key), fmt::format("{:.{}f}", number, decimals), number});
  return *this;
}

json_line& json_line::add(std::string_view key, std::uint64_t integer) {
  fields_.push_back({std::string(key), fmt::format("{}", integer), static_cast<double>(integer)});
  return *this;
}

json_line& json_line::add_flag(std::string_view key, bool flag) {
  fields_.push_back({std::string(key), flag ? "true" : "false", std::nullopt});
  return *this;
}

std::optional<double> json_line::number(std::string_view key) const {
  for (const auto& f : fields_)
    if (f.key == key) return f.numeric;
  return std::nullopt;
}

std::string json_line::str() const {
  std::string out = "{";
  for (const auto& f : fields_) {
    if (out.size() > 1) out += ',';
    out += quoted(f.key);
    out += ':';
    out += f.json;
  }
  return out + "}";
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  // A selection, not a sort: linear in the samples, so the harness adds no log(n) per echo
  // to what bench/callgrind.sh measures.
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

std::string make_payload(std::size_t size) {
  std::string out(size, '\0');
  std::uint32_t x = 0x9e3779b9u;  // xorshift32: cheap, and no compression could cheat
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

void emit(const json_line& line) {
  std::fputs(line.str().c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace h2ws::bench
