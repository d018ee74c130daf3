// fuzz_deflate_negotiation: the sec-websocket-extensions parsers of permessage-deflate (RFC 7692)
// on both ends, fed a header value the peer chose, and the negotiation round trip.
//
// Input: [offer][limits][header ...]. The first two bytes are deflate_params: bit 0
// server_no_context_takeover, bit 1 client_no_context_takeover, bits 2-4 server window bits
// (8 + value), bits 5-7 client window bits (8 + value). The rest is a header value.
//
// Invariants checked:
//   - client: parse_server_answer(header, offer) fails only with bad_extension_negotiation and
//     then gives nothing; what it accepts has valid window bits, keeps what we offered
//     (server window no larger than asked, the no_context_takeover flags we asked for) and
//     never widens our own window;
//   - server: accept_client_offer(header, limits) answers with valid window bits within the
//     limits, the limits' no_context_takeover flags, and a "permessage-deflate" response;
//   - round trip: the server accepts client_offer(offer), the client accepts that answer and
//     both end with the same settings; a message (the header bytes) deflated by each side
//     inflates back on the other with those settings.
#include "check.hpp"
#include "ws/permessage_deflate.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace h2ws;

ws::deflate_params params_from(std::uint8_t b) {
  ws::deflate_params p;
  p.server_no_context_takeover = (b & 1) != 0;
  p.client_no_context_takeover = (b & 2) != 0;
  p.server_max_window_bits = 8 + ((b >> 2) & 7);
  p.client_max_window_bits = 8 + ((b >> 5) & 7);
  return p;
}

bool valid(const ws::deflate_params& p) {
  return p.server_max_window_bits >= 8 && p.server_max_window_bits <= 15 &&
         p.client_max_window_bits >= 8 && p.client_max_window_bits <= 15;
}

void check_client(std::string_view header, const ws::deflate_params& offered) {
  std::optional<ws::deflate_params> out;
  const auto ec = ws::parse_server_answer(header, offered, out);
  if (ec) {
    H2WS_FUZZ_CHECK(ec == h2ws::error::bad_extension_negotiation);
    H2WS_FUZZ_CHECK(!out);
    return;
  }
  if (!out) return;  // declined
  H2WS_FUZZ_CHECK(valid(*out));
  H2WS_FUZZ_CHECK(out->server_max_window_bits <= offered.server_max_window_bits);
  H2WS_FUZZ_CHECK(!offered.server_no_context_takeover || out->server_no_context_takeover);
  H2WS_FUZZ_CHECK(out->client_max_window_bits <= offered.client_max_window_bits);
  H2WS_FUZZ_CHECK(!offered.client_no_context_takeover || out->client_no_context_takeover);
}

void check_server(std::string_view header, const ws::deflate_params& limits) {
  const auto a = ws::accept_client_offer(header, limits);
  if (!a) return;
  H2WS_FUZZ_CHECK(valid(a->params));
  H2WS_FUZZ_CHECK(a->params.server_max_window_bits <= limits.server_max_window_bits);
  H2WS_FUZZ_CHECK(a->params.client_max_window_bits <= limits.client_max_window_bits);
  H2WS_FUZZ_CHECK(!limits.server_no_context_takeover || a->params.server_no_context_takeover);
  H2WS_FUZZ_CHECK(!limits.client_no_context_takeover || a->params.client_no_context_takeover);
  H2WS_FUZZ_CHECK(a->response.starts_with("permessage-deflate"));
}

// `from` compresses, `to` inflates: the message must survive.
void check_transfer(ws::role from, const ws::deflate_params& sender,
                    const ws::deflate_params& receiver, std::span<const std::uint8_t> message) {
  const ws::role to = from == ws::role::client ? ws::role::server : ws::role::client;
  ws::deflater deflater(from, sender);
  ws::inflater inflater(to, receiver);
  for (int i = 0; i < 2; ++i) {  // twice: the second message may use the kept window
    std::vector<std::uint8_t> compressed;
    deflater.compress(message, compressed);
    std::string back;
    H2WS_FUZZ_CHECK(!inflater.decompress(compressed, 0, back));
    H2WS_FUZZ_CHECK(back.size() == message.size() &&
                    std::equal(message.begin(), message.end(),
                               reinterpret_cast<const std::uint8_t*>(back.data())));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const ws::deflate_params offered = params_from(data[0]);
  const ws::deflate_params limits = params_from(data[1]);
  const std::string_view header(reinterpret_cast<const char*>(data + 2), size - 2);

  check_client(header, offered);
  check_server(header, limits);

  const auto agreement = ws::accept_client_offer(ws::client_offer(offered), limits);
  H2WS_FUZZ_CHECK(agreement.has_value());  // our own offer is always acceptable
  std::optional<ws::deflate_params> client_view;
  H2WS_FUZZ_CHECK(!ws::parse_server_answer(agreement->response, offered, client_view));
  H2WS_FUZZ_CHECK(client_view && *client_view == agreement->params);

  const std::span<const std::uint8_t> message(data + 2, size - 2);
  check_transfer(ws::role::server, agreement->params, *client_view, message);
  check_transfer(ws::role::client, *client_view, agreement->params, message);
  return 0;
}
