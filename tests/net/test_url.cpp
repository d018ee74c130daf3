// The one URL parser of h2ws (src/net/url.*): what it accepts, and what it says about
// what it refuses. The CLI prints these sentences; the library returns error::bad_url.
#include "net/url.hpp"
#include "test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

net::parsed_url parse_ok(std::string_view url) {
  net::parsed_url out;
  std::string why;
  const auto ec = net::parse_url(url, out, why);
  EXPECT_FALSE(ec) << url << ": " << why;
  return out;
}

std::string refusal(std::string_view url) {
  net::parsed_url out;
  std::string why;
  const auto ec = net::parse_url(url, out, why);
  EXPECT_EQ(ec, error::bad_url) << url;
  EXPECT_FALSE(why.empty()) << url;
  return why;
}

// Verifies the parts of accepted URLs: scheme (any case), TLS, default and explicit ports,
// IPv6 brackets, the request target with its query, no fragment and no userinfo.
TEST(Url, AcceptedUrlsAreSplit) {
  auto u = parse_ok("ws://127.0.0.1:3000/echo?room=1#ignored");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.scheme, "ws");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 3000);
  EXPECT_EQ(u.target, "/echo?room=1");
  EXPECT_EQ(u.authority, "127.0.0.1:3000");

  u = parse_ok("WSS://user:pw@Example.COM/chat");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.scheme, "wss");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.authority, "Example.COM");

  u = parse_ok("http://[::1]:65535");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 65535);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.authority, "[::1]:65535");

  EXPECT_EQ(parse_ok("https://h").port, 443);
  EXPECT_EQ(parse_ok("ws://h").port, 80);
  EXPECT_EQ(parse_ok("ws://h:1/").port, 1);
  EXPECT_EQ(parse_ok("ws://h:08080/").port, 8080);
  EXPECT_EQ(parse_ok("ws://h?x=1").target, "/?x=1");
}

// Verifies that ports outside 1-65535 are refused with the number as written. Boost.URL
// 1.81 alone wraps 104736 to 39200 and would connect to whatever listens there.
TEST(Url, PortsOutOfRangeAreNamed) {
  EXPECT_EQ(refusal("ws://127.0.0.1:104736/echo"), "port 104736 is out of range (1-65535)");
  EXPECT_EQ(refusal("ws://127.0.0.1:70000/echo"), "port 70000 is out of range (1-65535)");
  EXPECT_EQ(refusal("ws://127.0.0.1:65536/"), "port 65536 is out of range (1-65535)");
  EXPECT_EQ(refusal("wss://[::1]:99999/"), "port 99999 is out of range (1-65535)");
  EXPECT_EQ(refusal("ws://h:0/"), "port 0 is out of range (1-65535)");
  EXPECT_EQ(refusal("ws://h:18446744073709551617/"),
            "port 18446744073709551617 is out of range (1-65535)");
  EXPECT_EQ(refusal("ws://h:/echo"), "the URL has a ':' after the host but no port number");
  EXPECT_EQ(refusal("ws://127.0.0.1:abc/echo"), "port 'abc' is not a number");
  EXPECT_EQ(refusal("ws://127.0.0.1:12ab/echo"), "port '12ab' is not a number");
  EXPECT_EQ(refusal("ws://h:80:90/"), "port '80:90' is not a number");
}

// Verifies the other refusals: scheme, host, characters that need percent-encoding.
TEST(Url, OtherRefusalsSayWhatIsWrong) {
  const std::string start = "the URL must start with ws://, wss://, http:// or https://";
  EXPECT_EQ(refusal("localhost:3000/echo"), start);
  EXPECT_EQ(refusal("127.0.0.1:3000/echo"), start);
  EXPECT_EQ(refusal("not a url"), start);
  EXPECT_EQ(refusal(""), "the URL is empty");
  EXPECT_EQ(refusal("ftp://h/"),
            "unsupported URL scheme 'ftp' (use ws://, wss://, http:// or https://)");
  EXPECT_EQ(refusal("ws:///echo"), "the URL has no host");
  EXPECT_EQ(refusal("ws://a b/"), "the URL contains a space (character 7): write it as %20");
  EXPECT_EQ(refusal("ws://h/{x}"),
            "the URL contains '{' (character 8), which must be percent-encoded");
  EXPECT_EQ(refusal("ws://h/%zz"),
            "the URL has a '%' not followed by two hex digits (character 8)");
  EXPECT_EQ(refusal("ws://h/\x01"),
            "the URL contains a control or non-ASCII byte (character 8): percent-encode it");
}

// Verifies proxy URLs: http only, port checked, "host:port" taken as http like curl does.
TEST(Url, ProxyUrls) {
  net::parsed_url p;
  std::string credentials, why;
  EXPECT_FALSE(net::parse_proxy_url("http://u:p%40ss@127.0.0.1:3128", p, credentials, why));
  EXPECT_EQ(p.port, 3128);
  EXPECT_EQ(credentials, "u:p@ss");
  EXPECT_FALSE(net::parse_proxy_url("proxy.example:8080", p, credentials, why)) << why;
  EXPECT_EQ(p.host, "proxy.example");
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(net::parse_proxy_url("http://127.0.0.1:70000", p, credentials, why), error::bad_url);
  EXPECT_EQ(why, "port 70000 is out of range (1-65535)");
  EXPECT_EQ(net::parse_proxy_url("ftp://h:1", p, credentials, why), error::bad_url);
  EXPECT_EQ(why, "unsupported proxy scheme 'ftp' (use http://, socks5:// or socks5h://)");
  EXPECT_FALSE(net::parse_proxy_url("SOCKS5h://u:p@127.0.0.1", p, credentials, why)) << why;
  EXPECT_EQ(p.scheme, "socks5h");
  EXPECT_EQ(p.port, 1080);
  EXPECT_EQ(credentials, "u:p");
  EXPECT_FALSE(net::parse_proxy_url("socks5://[::1]:9050", p, credentials, why)) << why;
  EXPECT_EQ(p.scheme, "socks5");
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 9050);
  EXPECT_EQ(net::parse_proxy_url("socks5://" + std::string(256, 'u') + ":p@h", p, credentials, why),
            error::bad_url);
  EXPECT_EQ(why, "a SOCKS5 user name or password longer than 255 bytes");
  EXPECT_EQ(net::parse_proxy_url("socks4://h", p, credentials, why), error::bad_url);
  EXPECT_EQ(net::parse_proxy_url("h:1/a b", p, credentials, why), error::bad_url);
  EXPECT_EQ(why, "the URL contains a space (character 6): write it as %20");
}

// Verifies that the library refuses a port above 65535 instead of connecting to the port it
// wraps to: a real server listens on P, the URL says P + 65536. The same URL with P opens.
TEST(Url, LibraryRefusesWrappedPortOfARealServer) {
  server_fixture f;
  const unsigned port = f.srv().port();
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, ws] =
        co_await h2ws::connect(ex, "ws://127.0.0.1:" + std::to_string(port + 65536) + "/echo",
                               test_options(), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, error::bad_url) << ec.message();
    auto [ec2, conn] =
        co_await connection::connect(ex, "ws://127.0.0.1:" + std::to_string(port + 65536),
                                     test_options(), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec2, error::bad_url) << ec2.message();
    auto [ok_ec, ok] =
        co_await h2ws::connect(ex, f.url(), test_options(), asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(ok_ec) << ok_ec.message();
    EXPECT_TRUE(ok.is_open());
  });
}

}  // namespace
}  // namespace h2ws::test
