#include "http1/upgrade.hpp"

#include <h2ws/error.hpp>

#include <algorithm>
#include <cctype>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace h2ws::http1 {

namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::uint32_t max_head_size = 64 * 1024;

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool has_token(std::string_view list, std::string_view token) {
  auto lower = lowercase(list);
  std::size_t start = 0;
  while (start <= lower.size()) {
    auto end = lower.find(',', start);
    if (end == std::string::npos) end = lower.size();
    auto item = std::string_view(lower).substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == token) return true;
    start = end + 1;
  }
  return false;
}

std::string make_key() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return base64(bytes, sizeof bytes);
}

std::string accept_for(std::string_view key) {
  std::string input = std::string(key) + std::string(websocket_guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof digest);
}

std::string upgrade_request(const std::string& target, const std::string& host,
                            const std::string& key, const std::vector<std::string>& subprotocols,
                            const header_list& headers) {
  std::string out = "GET " + (target.empty() ? std::string("/") : target) + " HTTP/1.1\r\n";
  out += "Host: " + host + "\r\n";
  out += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  out += "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
  if (!subprotocols.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    for (std::size_t i = 0; i < subprotocols.size(); ++i) out += (i ? ", " : "") + subprotocols[i];
    out += "\r\n";
  }
  for (const auto& [name, value] : headers) {
    auto lower = lowercase(name);
    if (lower.empty() || lower.front() == ':' || lower == "host" || lower == "upgrade" ||
        lower == "connection" ||
        (lower.rfind("sec-websocket-", 0) == 0 && lower != "sec-websocket-extensions"))
      continue;  // ours to set
    out += name + ": " + value + "\r\n";
  }
  out += "\r\n";
  return out;
}

struct response_reader::impl {
  http::response_parser<http::empty_body> parser;
  std::string pending;  // bytes offered to the parser but not yet consumed
};

response_reader::response_reader() : impl_(std::make_unique<impl>()) {
  impl_->parser.header_limit(max_head_size);
  impl_->parser.eager(false);  // stop at the end of the head: what follows is websocket data
}

response_reader::~response_reader() = default;

std::size_t response_reader::put(std::span<const std::uint8_t> bytes, error_code& ec) {
  // Beast consumes a head only whole: keep what it has not taken yet and offer it
  // again with the next bytes. Until the head ends, every byte seen belongs to it.
  auto& pending = impl_->pending;
  pending.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  while (!pending.empty() && !impl_->parser.is_header_done()) {
    auto n = impl_->parser.put(boost::asio::const_buffer(pending.data(), pending.size()), ec);
    pending.erase(0, n);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) return 0;
    if (n == 0) break;
  }
  if (!impl_->parser.is_header_done()) {
    if (pending.size() > max_head_size) ec = make_error_code(error::bad_handshake_response);
    return bytes.size();
  }
  // What is left over came with this call, after the head.
  auto leftover = pending.size();
  pending.clear();
  return bytes.size() - leftover;
}

bool response_reader::done() const { return impl_->parser.is_header_done(); }

unsigned response_reader::status() const { return impl_->parser.get().result_int(); }

header_list response_reader::headers() const {
  header_list out;
  for (const auto& field : impl_->parser.get())
    out.emplace_back(lowercase(field.name_string()), std::string(field.value()));
  return out;
}

error_code check_response(unsigned status, const header_list& headers, const std::string& key,
                          const std::vector<std::string>& offered, std::string& subprotocol) {
  if (status != 101) return make_error_code(error::refused);
  std::string upgrade, connection, accept;
  for (const auto& [name, value] : headers) {
    if (name == "upgrade") upgrade = value;
    if (name == "connection") connection = value;
    if (name == "sec-websocket-accept") accept = value;
    if (name == "sec-websocket-protocol") subprotocol = value;
  }
  if (!has_token(upgrade, "websocket") || !has_token(connection, "upgrade") ||
      accept != accept_for(key))
    return make_error_code(error::bad_handshake_response);
  if (!subprotocol.empty() &&
      std::find(offered.begin(), offered.end(), subprotocol) == offered.end())
    return make_error_code(error::unexpected_subprotocol);
  return {};
}

}  // namespace h2ws::http1
