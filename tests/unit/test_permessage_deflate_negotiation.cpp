// permessage-deflate negotiation: the client's offer, checking the server's answer against RFC
// 7692, and the server's choice among a client's offers.
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace h2ws::ws {

// Readable failures.
void PrintTo(const deflate_params& p, std::ostream* os) {
  *os << "{snct " << p.server_no_context_takeover << ", cnct " << p.client_no_context_takeover
      << ", smwb " << p.server_max_window_bits << ", cmwb " << p.client_max_window_bits << "}";
}

}  // namespace h2ws::ws

namespace {

using namespace h2ws::ws;
using h2ws::error;

std::optional<deflate_params> answer_ok(std::string_view header, const deflate_params& offered) {
  std::optional<deflate_params> out = deflate_params{.server_max_window_bits = 1};
  const auto ec = parse_server_answer(header, offered, out);
  EXPECT_FALSE(ec) << '"' << header << "\": " << ec.message();
  return out;
}

void expect_rejected(std::string_view header, const deflate_params& offered = {}) {
  std::optional<deflate_params> out = deflate_params{};
  EXPECT_EQ(parse_server_answer(header, offered, out), error::bad_extension_negotiation)
      << '"' << header << '"';
  EXPECT_FALSE(out.has_value()) << '"' << header << '"';
}

// Verifies the offer text: client_max_window_bits always (we accept any limit), the rest only
// when asked for.
TEST(ExtensionNegotiation, ClientOffer) {
  EXPECT_EQ(client_offer({}), "permessage-deflate; client_max_window_bits");
  EXPECT_EQ(client_offer({true, true, 10, 12}),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10; client_max_window_bits=12");
  EXPECT_EQ(client_offer({.server_max_window_bits = 9}),
            "permessage-deflate; server_max_window_bits=9; client_max_window_bits");
  EXPECT_THROW(client_offer({.server_max_window_bits = 7}), std::invalid_argument);
  EXPECT_THROW(client_offer({.client_max_window_bits = 16}), std::invalid_argument);
}

// Verifies that an empty answer means "not negotiated", without error.
TEST(ExtensionNegotiation, EmptyAnswerMeansDeclined) {
  for (std::string_view h : {"", "  ", " , ,", "\t"}) {
    const auto out = answer_ok(h, {});
    EXPECT_FALSE(out.has_value()) << '"' << h << '"';
  }
}

// Verifies answers RFC 7692 allows, and the settings they lead to.
TEST(ExtensionNegotiation, GoodAnswers) {
  const deflate_params defaults;
  struct good {
    std::string_view header;
    deflate_params offered;
    deflate_params expected;
  };
  const std::vector<good> cases = {
      {"permessage-deflate", {}, {}},
      {"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
       {},
       {true, true, 15, 15}},
      // The server may limit its own window and ours without being asked.
      {"permessage-deflate; server_max_window_bits=10; client_max_window_bits=9",
       {},
       {false, false, 10, 9}},
      {"permessage-deflate;server_max_window_bits=\"12\"", {}, {false, false, 12, 15}},
      {"Permessage-Deflate; Server_Max_Window_Bits=12", {}, {false, false, 12, 15}},
      {"  permessage-deflate ;\tserver_max_window_bits = 12 ,", {}, {false, false, 12, 15}},
      {"permessage-deflate; client_max_window_bits=\"8\"", {}, {false, false, 15, 8}},
      // What we asked for, echoed or narrowed.
      {"permessage-deflate; server_max_window_bits=10",
       {.server_max_window_bits = 10},
       {false, false, 10, 15}},
      {"permessage-deflate; server_max_window_bits=9",
       {.server_max_window_bits = 10},
       {false, false, 9, 15}},
      {"permessage-deflate; server_no_context_takeover",
       {.server_no_context_takeover = true},
       {true, false, 15, 15}},
      // Our own promises hold even when the server does not repeat them.
      {"permessage-deflate", {.client_no_context_takeover = true}, {false, true, 15, 15}},
      {"permessage-deflate", {.client_max_window_bits = 10}, {false, false, 15, 10}},
      {"permessage-deflate; client_max_window_bits=12",
       {.client_max_window_bits = 10},
       {false, false, 15, 10}},
      {"permessage-deflate; client_max_window_bits=9",
       {.client_max_window_bits = 10},
       {false, false, 15, 9}},
  };
  for (const good& c : cases) {
    const auto out = answer_ok(c.header, c.offered);
    ASSERT_TRUE(out.has_value()) << c.header;
    EXPECT_EQ(*out, c.expected) << c.header;
  }
  EXPECT_EQ(answer_ok("permessage-deflate", defaults), defaults);
}

// Verifies each way an answer can break RFC 6455 section 9.1 or RFC 7692.
TEST(ExtensionNegotiation, BadAnswersAreRejected) {
  for (std::string_view h : {
           // An extension we did not offer, or ours twice.
           "x-webkit-deflate-frame",
           "permessage-deflate, x-foo",
           "x-foo, permessage-deflate",
           "deflate-frame",
           "permessage-deflate, permessage-deflate",
           // Unknown parameters.
           "permessage-deflate; foo",
           "permessage-deflate; foo=1",
           "permessage-deflate; server_max_window_bit=10",
           // Window bits out of range, not a number, leading zero, missing.
           "permessage-deflate; server_max_window_bits=7",
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; server_max_window_bits=0",
           "permessage-deflate; server_max_window_bits=abc",
           "permessage-deflate; server_max_window_bits=08",
           "permessage-deflate; server_max_window_bits=+9",
           "permessage-deflate; server_max_window_bits=100",
           "permessage-deflate; server_max_window_bits=\"1 0\"",
           "permessage-deflate; server_max_window_bits=\"\"",
           "permessage-deflate; server_max_window_bits",
           "permessage-deflate; client_max_window_bits=7",
           "permessage-deflate; client_max_window_bits=16",
           "permessage-deflate; client_max_window_bits",  // needs a value in an answer
           // Values on flags.
           "permessage-deflate; server_no_context_takeover=1",
           "permessage-deflate; client_no_context_takeover=\"x\"",
           // Duplicates.
           "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
           "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
           "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
           "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11",
           // Syntax.
           "permessage-deflate;",
           "permessage-deflate; ;",
           "; server_no_context_takeover",
           "permessage-deflate; =10",
           "permessage-deflate server_no_context_takeover",
           "permessage-deflate; server_max_window_bits=",
           "permessage-deflate; a=b=c",
           "permessage-deflate; server_max_window_bits=\"10",
           "permessage-deflate/1",
           "\"permessage-deflate\"",
           "permessage-deflate; server_max_window_bits=1\"0\"",
       }) {
    expect_rejected(h);
  }
}

// Verifies that the server must echo what we asked of its side (RFC 7692 7.1.1.1, 7.1.2.1): an
// answer without it, or with a larger window, is not an acceptance of our offer.
TEST(ExtensionNegotiation, AnswerMustHonourWhatWeAskedOfTheServer) {
  expect_rejected("permessage-deflate", {.server_max_window_bits = 10});
  expect_rejected("permessage-deflate; client_max_window_bits=10", {.server_max_window_bits = 10});
  expect_rejected("permessage-deflate; server_max_window_bits=11", {.server_max_window_bits = 10});
  expect_rejected("permessage-deflate; server_max_window_bits=15", {.server_max_window_bits = 14});
  expect_rejected("permessage-deflate", {.server_no_context_takeover = true});
  expect_rejected("permessage-deflate; client_no_context_takeover",
                  {.server_no_context_takeover = true});
}

// Verifies the server's choice: the first acceptable permessage-deflate offer, answered with
// what it asked for, other extensions and invalid offers skipped.
TEST(ExtensionNegotiation, ServerAcceptsFirstValidOffer) {
  struct good {
    std::string_view offers;
    std::string_view response;
    deflate_params params;
  };
  const std::vector<good> cases = {
      {"permessage-deflate; client_max_window_bits", "permessage-deflate", {}},  // browsers
      {"permessage-deflate", "permessage-deflate", {}},
      {"permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
       "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
       {false, false, 10, 12}},
      {"permessage-deflate; server_max_window_bits=15",
       "permessage-deflate; server_max_window_bits=15",
       {}},
      {"permessage-deflate; client_no_context_takeover; server_no_context_takeover",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
       {true, true, 15, 15}},
      {"x-foo; a=1, permessage-deflate; bar, permessage-deflate; server_max_window_bits=9",
       "permessage-deflate; server_max_window_bits=9",
       {false, false, 9, 15}},
      {"permessage-deflate; server_max_window_bits=16, permessage-deflate",
       "permessage-deflate",
       {}},
  };
  for (const good& c : cases) {
    const auto a = accept_client_offer(c.offers);
    ASSERT_TRUE(a.has_value()) << c.offers;
    EXPECT_EQ(a->response, c.response) << c.offers;
    EXPECT_EQ(a->params, c.params) << c.offers;
  }
  for (std::string_view h : {"", "x-foo", "permessage-deflate; foo", "permessage-deflate; ;",
                             "permessage-deflate; client_max_window_bits=7",
                             "permessage-deflate; server_max_window_bits"}) {
    EXPECT_FALSE(accept_client_offer(h).has_value()) << h;
  }
}

// Verifies the server's own limits: flags added, windows capped, and a client that cannot be
// limited declined.
TEST(ExtensionNegotiation, ServerLimits) {
  const deflate_params limits{true, true, 10, 11};
  auto a = accept_client_offer("permessage-deflate; client_max_window_bits", limits);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->response,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10; client_max_window_bits=11");
  EXPECT_EQ(a->params, limits);
  a = accept_client_offer("permessage-deflate; server_max_window_bits=9; client_max_window_bits=13",
                          limits);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->params, (deflate_params{true, true, 9, 11}));
  EXPECT_FALSE(accept_client_offer("permessage-deflate", limits).has_value());
  EXPECT_TRUE(accept_client_offer("permessage-deflate", {.server_max_window_bits = 9}));
}

// Verifies that our client and our server agree, for every combination of client wishes and
// server limits, and that messages then flow both ways with the agreed settings.
TEST(ExtensionNegotiation, ClientAndServerAgree) {
  const std::string text = "permessage-deflate permessage-deflate negotiation negotiation";
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  int agreed = 0;
  for (int wish = 0; wish < 16; ++wish) {
    for (int limit = 0; limit < 16; ++limit) {
      const deflate_params wanted{(wish & 1) != 0, (wish & 2) != 0, (wish & 4) ? 9 : 15,
                                  (wish & 8) ? 10 : 15};
      const deflate_params limits{(limit & 1) != 0, (limit & 2) != 0, (limit & 4) ? 12 : 15,
                                  (limit & 8) ? 8 : 15};
      const std::string offer = client_offer(wanted);
      const auto a = accept_client_offer(offer, limits);
      ASSERT_TRUE(a.has_value()) << offer;
      std::optional<deflate_params> client;
      ASSERT_FALSE(parse_server_answer(a->response, wanted, client)) << a->response;
      ASSERT_TRUE(client.has_value());
      EXPECT_EQ(*client, a->params) << offer << " -> " << a->response;
      ++agreed;

      deflater cd(role::client, *client), sd(role::server, a->params);
      inflater ci(role::client, *client), si(role::server, a->params);
      for (int k = 0; k < 3; ++k) {
        std::vector<std::uint8_t> up, down;
        cd.compress(bytes, up);
        sd.compress(bytes, down);
        std::string got_up, got_down;
        ASSERT_FALSE(si.decompress(up, 0, got_up));
        ASSERT_FALSE(ci.decompress(down, 0, got_down));
        EXPECT_EQ(got_up, text);
        EXPECT_EQ(got_down, text);
      }
    }
  }
  EXPECT_EQ(agreed, 256);
}

}  // namespace
