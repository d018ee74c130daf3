// Splits a fuzz input into a config byte, a byte stream and the sizes of the pieces that stream is
// fed in, so that where reads end (inside a frame header, a mask key, a UTF-8 sequence, an HTTP/2
// frame) is chosen by the fuzzer too, and a reproducer replays exactly.
//
// Layout: [config][extra:4 k:4][stream ...][size_1 ... size_k]
//   config  target-specific switches (role, limits, ...).
//   extra   high nibble of the second byte: four more target-specific switches.
//   k       low nibble: how many size bytes end the input (clamped to what is there); 0 means
//           the stream is fed in one piece.
//   size_i  piece i is size_i + 1 bytes (1..256); the sizes repeat cyclically until the stream
//           is used up.
// Inputs shorter than two bytes are an empty stream with config 0.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace h2ws::fuzz {

class chunked_input {
 public:
  chunked_input(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return;
    config_ = data[0];
    extra_ = data[1] >> 4;
    std::size_t k = std::min<std::size_t>(data[1] & 0x0F, size - 2);
    stream_ = {data + 2, size - 2 - k};
    sizes_ = {data + size - k, k};
  }

  std::uint8_t config() const noexcept { return config_; }
  std::uint8_t extra() const noexcept { return extra_; }
  std::span<const std::uint8_t> stream() const noexcept { return stream_; }

  /// The stream cut into pieces as the size bytes say.
  std::vector<std::span<const std::uint8_t>> pieces() const {
    std::vector<std::span<const std::uint8_t>> out;
    if (sizes_.empty()) {
      if (!stream_.empty()) out.push_back(stream_);
      return out;
    }
    std::size_t at = 0;
    for (std::size_t i = 0; at < stream_.size(); ++i) {
      std::size_t n = std::min<std::size_t>(sizes_[i % sizes_.size()] + 1u, stream_.size() - at);
      out.push_back(stream_.subspan(at, n));
      at += n;
    }
    return out;
  }

 private:
  std::uint8_t config_ = 0;
  std::uint8_t extra_ = 0;
  std::span<const std::uint8_t> stream_;
  std::span<const std::uint8_t> sizes_;
};

}  // namespace h2ws::fuzz
