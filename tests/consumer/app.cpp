// A consumer of an installed (or add_subdirectory'd) h2ws, built by whatever compiler the
// consumer uses, with Asio in its default, header-only mode. It
//   1. prints "h2ws VERSION", then "H2WS_VERSION N" and the compiler (run.sh checks them);
//   2. connects to a URL that cannot be parsed, which fails before any I/O (the whole client
//      path links, and h2ws's error category compares equal across the library boundary);
//   3. starts the library's echo server on 127.0.0.1 (a free port), opens a websocket to it
//      with co_spawn + use_awaitable, echoes one message, closes; all within 10 seconds.
#include <h2ws/h2ws.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

// The version macros work in the preprocessor.
#if !defined(H2WS_VERSION) || H2WS_VERSION < 100
#error "this consumer needs h2ws 0.1.0 or later"
#endif
static_assert(H2WS_VERSION ==
              h2ws::version_major * 10000 + h2ws::version_minor * 100 + h2ws::version_patch);

// Nothing in the h2ws package may choose Asio's build mode for its users.
#if defined(BOOST_ASIO_SEPARATE_COMPILATION) || defined(BOOST_ASIO_DYN_LINK)
#error "the h2ws package set Asio's build mode (BOOST_ASIO_SEPARATE_COMPILATION/DYN_LINK)"
#endif

#if defined(__clang__)
#define APP_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define APP_COMPILER "gcc " __VERSION__
#else
#define APP_COMPILER "unknown"
#endif

namespace asio = boost::asio;

namespace {

// Connect, open, echo one message, close.
asio::awaitable<std::string> echo_once(std::string url) {
  auto ex = co_await asio::this_coro::executor;
  h2ws::options opts;  // named: GCC 12 mishandles braced temporaries in co_await expressions
  opts.connect_timeout = std::chrono::seconds(5);
  opts.open_timeout = std::chrono::seconds(5);
  opts.close_timeout = std::chrono::seconds(5);
  auto conn = co_await h2ws::connection::connect(ex, url, opts, asio::use_awaitable);
  auto ws = co_await conn.open_websocket("/echo", asio::use_awaitable);
  const std::string sent = "hello from " APP_COMPILER;
  co_await ws.send(h2ws::message::text(sent), asio::use_awaitable);
  h2ws::message m = co_await ws.receive(asio::use_awaitable);
  if (m.text() != sent) throw std::runtime_error("echo differs: '" + std::string(m.text()) + "'");
  co_await ws.close(h2ws::close_code::normal, "bye", asio::use_awaitable);
  conn.close();
  co_return std::string(m.text());
}

}  // namespace

int main() {
  std::cout << "h2ws " << h2ws::version_string << "\n";
  std::cout << "H2WS_VERSION " << H2WS_VERSION << "\n";
  std::cout << "compiler: " << APP_COMPILER << "\n";

  asio::io_context ioc;
  boost::system::error_code result;
  h2ws::connection::connect(ioc.get_executor(), "ftp://nowhere", {},
                            [&](boost::system::error_code ec, h2ws::connection) { result = ec; });
  ioc.run();
  if (result != h2ws::error::bad_url) {
    std::cerr << "expected error::bad_url, got: " << result.message() << "\n";
    return 1;
  }
  std::cout << "connect(\"ftp://nowhere\"): " << result.message() << "\n";

  ioc.restart();
  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", 0)) {
    std::cerr << "listen: " << ec.message() << "\n";
    return 1;
  }
  int status = 1;
  asio::steady_timer watchdog(ioc, std::chrono::seconds(10));
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the echo finished in time
    std::cerr << "timeout: no echo within 10 s\n";
    ioc.stop();
  });
  asio::co_spawn(ioc, echo_once("ws://127.0.0.1:" + std::to_string(server.port()) + "/echo"),
                 [&](std::exception_ptr e, std::string echoed) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       std::cerr << "echo: " << x.what() << "\n";
                     }
                   } else {
                     std::cout << "echo: " << echoed << "\n";
                     status = 0;
                   }
                   watchdog.cancel();
                   server.stop();  // run() returns once the server's connections are gone
                 });
  ioc.run();
  return status;
}
