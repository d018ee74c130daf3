// The RFC 6455 opening handshake over HTTP/1.1 (the fallback path): the
// Upgrade request, and the checks on the server's 101 answer. No I/O.
#pragma once

#include <h2ws/options.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

namespace h2ws::http1 {

/// True when the comma-separated header value `list` holds `token` (lowercase),
/// case-insensitively ("Upgrade", "keep-alive, Upgrade").
bool has_token(std::string_view list, std::string_view token);

/// A fresh Sec-WebSocket-Key: 16 random bytes, base64.
std::string make_key();
/// The Sec-WebSocket-Accept a server must answer `key` with.
std::string accept_for(std::string_view key);

/// The GET request with Upgrade: websocket, as bytes to write.
std::string upgrade_request(const std::string& target, const std::string& host,
                            const std::string& key, const std::vector<std::string>& subprotocols,
                            const header_list& headers);

/// Reads the server's answer head with Beast's parser, incrementally.
class response_reader {
 public:
  response_reader();
  ~response_reader();
  /// Feeds bytes; returns how many belong to the response head (the rest are
  /// websocket frames). Sets `ec` on a malformed or oversized head.
  std::size_t put(std::span<const std::uint8_t> bytes, boost::system::error_code& ec);
  bool done() const;
  unsigned status() const;
  /// Lowercased names, values as sent.
  header_list headers() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Checks a complete answer: 101, Upgrade, Connection, Sec-WebSocket-Accept, and
/// a subprotocol we offered (written to `subprotocol`). error::refused for any
/// other status, error::bad_handshake_response or error::unexpected_subprotocol.
boost::system::error_code check_response(unsigned status, const header_list& headers,
                                         const std::string& key,
                                         const std::vector<std::string>& offered,
                                         std::string& subprotocol);

}  // namespace h2ws::http1
