// The error codes of a stream reset (RFC 9113 section 7) that layers above the HTTP/2
// glue name: the websocket session asks for them and the API reads them back, without
// including nghttp2 (only src/h2 and the connection speak its names).
#pragma once

#include <cstdint>

namespace h2ws::ws {

inline constexpr std::uint32_t stream_no_error = 0x0;
/// The stream is no longer needed (our timeouts, an abandoned websocket).
inline constexpr std::uint32_t stream_cancel = 0x8;
/// The server did not process the stream (GOAWAY, or refused before any work).
inline constexpr std::uint32_t stream_refused = 0x7;

}  // namespace h2ws::ws
