// Result lines (one JSON object per line on stdout) and the statistics that fill them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace h2ws::bench {

/// One result: a flat JSON object whose keys keep their insertion order.
class json_line {
 public:
  json_line& add(std::string_view key, std::string_view text);
  json_line& add(std::string_view key, double number, int decimals = 2);
  json_line& add(std::string_view key, std::uint64_t integer);
  json_line& add_flag(std::string_view key, bool flag);  // not add(): a literal would pick bool

  /// A numeric field, for the h2ws/TCP ratios printed on stderr.
  std::optional<double> number(std::string_view key) const;
  /// The object as one line of JSON, without the newline.
  std::string str() const;

 private:
  struct field {
    std::string key;
    std::string json;  ///< the value, already encoded
    std::optional<double> numeric;
  };
  std::vector<field> fields_;
};

/// The p-th percentile (0 < p <= 100) by nearest rank; sorts `samples`. 0 when empty.
double percentile(std::vector<double>& samples, double p);

/// `size` bytes of deterministic pseudo-random data (binary messages need no UTF-8).
std::string make_payload(std::size_t size);

/// Writes `line` and a newline to stdout and flushes, so a reader sees each result at once.
void emit(const json_line& line);

}  // namespace h2ws::bench
