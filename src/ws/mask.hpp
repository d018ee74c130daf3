// RFC 6455 section 5.3 payload masking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace h2ws::ws {

/// XORs `data` with the 4-byte masking key, in place. Masking and unmasking are the same
/// operation.
///
/// Byte-order convention (used identically by the writer and the reader): `key` holds the four
/// key bytes in network order, i.e. exactly as they appear on the wire after the length. Key byte
/// i is `(key >> (24 - 8 * i)) & 0xff`, and payload byte j is XORed with key byte `j % 4`. So the
/// wire bytes `37 fa 21 3d` are the key `0x37fa213d`.
///
/// `offset` is the number of payload bytes of the same frame that came before `data`: a frame
/// that arrives in several chunks is unmasked chunk by chunk with a running offset.
void apply_mask(std::span<std::uint8_t> data, std::uint32_t key, std::size_t offset = 0) noexcept;

}  // namespace h2ws::ws
