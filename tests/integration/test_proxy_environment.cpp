// options::proxy_from_environment: off by default (the environment is ignored), on it takes
// the proxy as curl does (http_proxy / https_proxy / all_proxy, no_proxy), through a real
// HTTP proxy (Debian's tinyproxy) on both the RFC 8441 and the HTTP/1.1 Upgrade paths.
#include "child_process.hpp"
#include "net/proxy_environment.hpp"
#include "net/url.hpp"
#include "test_support.hpp"
#include <h2ws/connect.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace h2ws::test {
namespace {

// Sets environment variables for one test and puts the old values back after it.
class environment_guard {
 public:
  environment_guard(std::initializer_list<std::pair<const char*, std::string>> vars) {
    for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy",
                             "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      if (const char* v = std::getenv(name))
        saved_[name] = v;
      else
        saved_[name] = std::nullopt;
      unsetenv(name);
    }
    for (const auto& [name, value] : vars) setenv(name, value.c_str(), 1);
  }
  ~environment_guard() {
    for (const auto& [name, value] : saved_) {
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// A loopback port nothing listens on (bound, then released).
std::uint16_t dead_port() {
  asio::io_context ctx;
  asio::ip::tcp::acceptor a(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// tinyproxy (Debian package tinyproxy-bin) on a free loopback port, CONNECT allowed.
class tinyproxy {
 public:
  tinyproxy() : port_(dead_port()) {
    conf_ = std::filesystem::temp_directory_path() /
            ("h2ws-tinyproxy-" + std::to_string(getpid()) + ".conf");
    std::ofstream(conf_) << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\n"
                         << "Allow 127.0.0.1\nMaxClients 20\nLogLevel Connect\n";
    process_.emplace(std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c", conf_.string()});
    // Ready once it accepts connections (bounded: 10 s).
    for (int i = 0; i < 200 && process_->started(); ++i) {
      asio::io_context ctx;
      asio::ip::tcp::socket s(ctx);
      boost::system::error_code ec;
      s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
      if (!ec) {
        ready_ = true;
        break;
      }
      usleep(50'000);
    }
  }
  ~tinyproxy() {
    process_.reset();
    std::filesystem::remove(conf_);
  }
  bool ready() const { return ready_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string output() { return process_->output(); }

 private:
  std::uint16_t port_;
  std::filesystem::path conf_;
  std::optional<child_process> process_;
  bool ready_ = false;
};

net::parsed_url parsed(const std::string& url) {
  net::parsed_url out;
  EXPECT_FALSE(net::parse_url(url, out)) << url;
  return out;
}

}  // namespace

// Verifies the variables are read as curl reads them: https_proxy for wss, http_proxy (never
// HTTP_PROXY) for ws, all_proxy as the last resort, no_proxy names and their subdomains.
TEST(ProxyFromEnvironment, VariablesAreReadAsCurlReadsThem) {
  environment_guard env{{"https_proxy", "http://secure:1"},
                        {"HTTP_PROXY", "http://cgi-header:2"},
                        {"all_proxy", "socks5://fallback:3"},
                        {"no_proxy", " internal.example , .corp.example"}};
  EXPECT_EQ(net::proxy_from_environment(parsed("wss://a.example/")).url, "http://secure:1");
  EXPECT_EQ(net::proxy_from_environment(parsed("wss://a.example/")).source, "https_proxy");
  EXPECT_EQ(net::proxy_from_environment(parsed("ws://a.example/")).url, "socks5://fallback:3");
  EXPECT_EQ(net::proxy_from_environment(parsed("ws://internal.example/")).url, "");
  EXPECT_EQ(net::proxy_from_environment(parsed("ws://x.internal.example/")).url, "");
  EXPECT_EQ(net::proxy_from_environment(parsed("ws://x.corp.example/")).url, "");
  EXPECT_EQ(net::proxy_from_environment(parsed("ws://notinternal.example/")).url,
            "socks5://fallback:3");

  options o;
  EXPECT_EQ(net::proxy_for(o, parsed("wss://a.example/")), "") << "read although not asked";
  o.proxy_from_environment = true;
  EXPECT_EQ(net::proxy_for(o, parsed("wss://a.example/")), "http://secure:1");
  o.proxy = "http://explicit:4";
  EXPECT_EQ(net::proxy_for(o, parsed("wss://a.example/")), "http://explicit:4");
}

// Verifies that by default the environment is ignored: an http_proxy that leads nowhere does
// not stop a direct connection.
TEST(ProxyFromEnvironment, IgnoredUnlessAskedFor) {
  environment_guard env{{"http_proxy", "http://127.0.0.1:" + std::to_string(dead_port())}};
  server_fixture f;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto ws = co_await h2ws::connect(ex, f.url(), test_options(), asio::use_awaitable);
    co_await ws.send(message::text("direct"), asio::use_awaitable);
    EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "direct");
    co_await ws.close(close_code::normal, "", asio::use_awaitable);
  });
}

// Verifies the opt-in: the same dead http_proxy now fails the open (the proxy is dialed), a
// host in no_proxy still goes direct, and a real proxy carries the websocket over RFC 8441
// and over the HTTP/1.1 Upgrade.
TEST(ProxyFromEnvironment, OptInDialsTheProxy) {
  server_fixture f;
  auto opts = test_options();
  opts.proxy_from_environment = true;
  f.run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    {
      environment_guard env{{"http_proxy", "http://127.0.0.1:" + std::to_string(dead_port())}};
      boost::system::error_code ec;
      try {
        co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
      } catch (const boost::system::system_error& e) {
        ec = e.code();
      }
      EXPECT_TRUE(ec) << "the dead proxy of http_proxy was not dialed";
    }
    {
      environment_guard env{{"http_proxy", "http://127.0.0.1:" + std::to_string(dead_port())},
                            {"no_proxy", "127.0.0.1"}};
      auto ws = co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    }
  });

  tinyproxy proxy;
  ASSERT_TRUE(proxy.ready()) << "tinyproxy did not start (Debian package tinyproxy-bin): "
                             << proxy.output();
  environment_guard env{{"http_proxy", proxy.url()}};
  for (bool h1 : {false, true}) {
    trace_recorder trace;
    opts.trace = trace.sink();
    opts.force_http1 = h1;
    f.run([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto ws = co_await h2ws::connect(ex, f.url(), opts, asio::use_awaitable);
      EXPECT_EQ(ws.http_version(), h1 ? 1 : 2);
      co_await ws.send(message::text("through the proxy"), asio::use_awaitable);
      EXPECT_EQ((co_await ws.receive(asio::use_awaitable)).text(), "through the proxy");
      co_await ws.close(close_code::normal, "", asio::use_awaitable);
    });
    EXPECT_TRUE(trace.contains("proxy tunnel open (HTTP 200)")) << (h1 ? "HTTP/1.1" : "HTTP/2");
  }
  EXPECT_NE(proxy.output().find("CONNECT"), std::string::npos) << proxy.output();
}

}  // namespace h2ws::test
