// A websocket's handshake header fields, kept for its whole life but rarely read: packed
// into one string (each name and value behind its varint length) instead of a vector of
// string pairs, about a third of the size for a typical request. The header_list the
// public API hands out is made from it at the first call.
#pragma once

#include <h2ws/options.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace h2ws::detail {

class packed_headers {
 public:
  /// Replaces the fields with `fields`. Not while another thread may read them.
  void assign(const header_list& fields);
  /// The fields as a header_list, made at the first call; safe from any thread.
  const header_list& list() const;
  /// Calls f(name, value) for each field in order, without making the list.
  template <class F>
  void for_each(F&& f) const {
    std::string_view rest = packed_;
    while (!rest.empty()) {
      const auto name = next(rest);
      const auto value = next(rest);
      f(name, value);
    }
  }

 private:
  static std::string_view next(std::string_view& rest);
  header_list unpacked() const;

  std::string packed_;
  mutable std::once_flag listed_;
  mutable std::unique_ptr<header_list> list_;
};

}  // namespace h2ws::detail
