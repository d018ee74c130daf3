// Decoding recorded connection bytes back into WebSocket frames, for tests that check what
// went on the wire (see tcp_relay's recording): RFC 6455 frames, found after an HTTP/1.1
// Upgrade or inside the DATA frames of an RFC 8441 CONNECT stream. Written apart from the
// library's own reader on purpose: it reports the frames as they are, lenient about the
// rules the library enforces, so that the tests can assert them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace h2ws::test::wire {

/// One RFC 6455 frame as it was on the wire (the payload unmasked).
struct ws_frame {
  bool fin = false;
  bool rsv1 = false;
  bool rsv2 = false;
  bool rsv3 = false;
  std::uint8_t opcode = 0;
  bool masked = false;
  std::string payload;
};

inline std::uint8_t byte_at(std::string_view s, std::size_t i) {
  return static_cast<std::uint8_t>(s[i]);
}

/// Parses `bytes` as consecutive RFC 6455 frames. `error` is set (and parsing stops) on bytes
/// that end inside a frame.
inline std::vector<ws_frame> parse_ws_frames(std::string_view bytes, std::string& error) {
  std::vector<ws_frame> frames;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t start = at;
    if (bytes.size() - at < 2) break;
    ws_frame f;
    const auto b0 = byte_at(bytes, at), b1 = byte_at(bytes, at + 1);
    at += 2;
    f.fin = (b0 & 0x80) != 0;
    f.rsv1 = (b0 & 0x40) != 0;
    f.rsv2 = (b0 & 0x20) != 0;
    f.rsv3 = (b0 & 0x10) != 0;
    f.opcode = b0 & 0x0f;
    f.masked = (b1 & 0x80) != 0;
    std::uint64_t length = b1 & 0x7f;
    const std::size_t extended = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (bytes.size() - at < extended + (f.masked ? 4 : 0)) {
      at = start;
      break;
    }
    if (extended != 0) {
      length = 0;
      for (std::size_t i = 0; i < extended; ++i) length = length << 8 | byte_at(bytes, at++);
    }
    std::uint8_t key[4] = {};
    if (f.masked)
      for (auto& k : key) k = byte_at(bytes, at++);
    if (bytes.size() - at < length) {
      at = start;
      break;
    }
    f.payload.assign(bytes.substr(at, length));
    at += length;
    if (f.masked)
      for (std::size_t i = 0; i < f.payload.size(); ++i)
        f.payload[i] ^= static_cast<char>(key[i % 4]);
    frames.push_back(std::move(f));
  }
  if (at < bytes.size())
    error = "bytes end inside a websocket frame (" + std::to_string(bytes.size() - at) +
            " bytes left at offset " + std::to_string(at) + ")";
  return frames;
}

inline constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The DATA payloads (padding removed) of each stream, concatenated in order, from one
/// direction of an HTTP/2 connection (`from_client`: it begins with the connection preface).
/// Other frame types are skipped; so is a frame cut off at the end (the recording may stop
/// in the middle of one). Sets `error` on a missing preface or a malformed padding.
inline std::map<std::uint32_t, std::string> h2_stream_data(std::string_view bytes, bool from_client,
                                                           std::string& error) {
  std::map<std::uint32_t, std::string> streams;
  if (from_client) {
    if (!bytes.starts_with(h2_preface)) {
      error = "no HTTP/2 connection preface";
      return streams;
    }
    bytes.remove_prefix(h2_preface.size());
  }
  while (bytes.size() >= 9) {
    const std::size_t length = std::size_t{byte_at(bytes, 0)} << 16 |
                               std::size_t{byte_at(bytes, 1)} << 8 | byte_at(bytes, 2);
    const auto type = byte_at(bytes, 3), flags = byte_at(bytes, 4);
    const std::uint32_t stream =
        (std::uint32_t{byte_at(bytes, 5)} << 24 | std::uint32_t{byte_at(bytes, 6)} << 16 |
         std::uint32_t{byte_at(bytes, 7)} << 8 | byte_at(bytes, 8)) &
        0x7fffffffu;
    if (bytes.size() - 9 < length) break;
    auto payload = bytes.substr(9, length);
    bytes.remove_prefix(9 + length);
    if (type != 0x0) continue;  // DATA only
    if (flags & 0x8) {          // PADDED: a pad length byte, the data, the padding
      if (payload.empty() || byte_at(payload, 0) + std::size_t{1} > payload.size()) {
        error = "DATA frame with bad padding on stream " + std::to_string(stream);
        return streams;
      }
      const std::size_t pad = byte_at(payload, 0);
      payload = payload.substr(1, payload.size() - 1 - pad);
    }
    streams[stream].append(payload);
  }
  return streams;
}

/// The websocket frames of one recorded connection, whichever way the websocket opened.
struct websocket_traffic {
  int http_version = 0;  ///< 1: HTTP/1.1 Upgrade, 2: RFC 8441 CONNECT stream
  std::vector<ws_frame> from_client;
  std::vector<ws_frame> from_server;
  std::string error;  ///< empty when the bytes made sense
};

/// Decodes the bytes of a connection that carried one websocket: over HTTP/1.1, what follows
/// the Upgrade request and the 101 response; over HTTP/2 (the client's bytes begin with the
/// preface), the DATA of the one stream that carries any.
inline websocket_traffic decode_websocket(std::string_view from_client,
                                          std::string_view from_server) {
  websocket_traffic t;
  std::string_view client_bytes, server_bytes;
  std::string h2_client, h2_server;
  if (from_client.starts_with(h2_preface)) {
    t.http_version = 2;
    auto client_streams = h2_stream_data(from_client, true, t.error);
    auto server_streams = h2_stream_data(from_server, false, t.error);
    if (!t.error.empty()) return t;
    std::map<std::uint32_t, bool> with_data;
    for (auto& [id, data] : client_streams)
      if (!data.empty()) with_data[id] = true;
    for (auto& [id, data] : server_streams)
      if (!data.empty()) with_data[id] = true;
    if (with_data.size() != 1) {
      t.error = std::to_string(with_data.size()) + " HTTP/2 streams carry DATA, not 1";
      return t;
    }
    const auto id = with_data.begin()->first;
    h2_client = std::move(client_streams[id]);
    h2_server = std::move(server_streams[id]);
    client_bytes = h2_client;
    server_bytes = h2_server;
  } else {
    t.http_version = 1;
    const auto request_end = from_client.find("\r\n\r\n");
    const auto response_end = from_server.find("\r\n\r\n");
    if (!from_client.starts_with("GET ") || request_end == std::string_view::npos) {
      t.error = "neither an HTTP/2 preface nor a complete HTTP/1.1 GET from the client";
      return t;
    }
    if (!from_server.starts_with("HTTP/1.1 101 ") || response_end == std::string_view::npos) {
      t.error = "no complete HTTP/1.1 101 response from the server";
      return t;
    }
    client_bytes = from_client.substr(request_end + 4);
    server_bytes = from_server.substr(response_end + 4);
  }
  std::string client_error, server_error;
  t.from_client = parse_ws_frames(client_bytes, client_error);
  t.from_server = parse_ws_frames(server_bytes, server_error);
  if (!client_error.empty()) t.error += "client to server: " + client_error + "; ";
  if (!server_error.empty()) t.error += "server to client: " + server_error;
  return t;
}

}  // namespace h2ws::test::wire
