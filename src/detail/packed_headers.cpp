#include "detail/packed_headers.hpp"

#include <cstdint>

namespace h2ws::detail {

namespace {

void put_length(std::string& out, std::size_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>(0x80 | (n & 0x7f)));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

std::size_t length_size(std::size_t n) {
  std::size_t size = 1;
  for (; n >= 0x80; n >>= 7) ++size;
  return size;
}

}  // namespace

void packed_headers::assign(const header_list& fields) {
  std::size_t size = 0;
  for (const auto& [name, value] : fields)
    size += length_size(name.size()) + name.size() + length_size(value.size()) + value.size();
  std::string packed;
  packed.reserve(size);
  for (const auto& [name, value] : fields) {
    put_length(packed, name.size());
    packed += name;
    put_length(packed, value.size());
    packed += value;
  }
  packed_ = std::move(packed);
  if (list_) *list_ = unpacked();  // already handed out: keep the reference valid
}

header_list packed_headers::unpacked() const {
  header_list list;
  for_each([&](std::string_view name, std::string_view value) {
    list.emplace_back(std::string(name), std::string(value));
  });
  return list;
}

std::string_view packed_headers::next(std::string_view& rest) {
  std::size_t n = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(rest.front());
    rest.remove_prefix(1);
    n |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  const auto s = rest.substr(0, n);
  rest.remove_prefix(n);
  return s;
}

const header_list& packed_headers::list() const {
  std::call_once(listed_, [this] { list_ = std::make_unique<header_list>(unpacked()); });
  return *list_;
}

}  // namespace h2ws::detail
