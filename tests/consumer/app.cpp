// A consumer of an installed (or add_subdirectory'd) h2ws: prints the version, then links the
// whole client path by connecting to a URL that cannot be parsed, which fails before any I/O.
#include <h2ws/h2ws.hpp>

#include <iostream>

#include <boost/asio/io_context.hpp>

int main() {
  std::cout << "h2ws " << h2ws::version_string << "\n";

  boost::asio::io_context ioc;
  boost::system::error_code result;
  h2ws::connection::connect(ioc.get_executor(), "ftp://nowhere", {},
                            [&](boost::system::error_code ec, h2ws::connection) { result = ec; });
  // The server side links too; it never listens.
  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  ioc.run();

  if (result != h2ws::error::bad_url) {
    std::cerr << "expected error::bad_url, got: " << result.message() << "\n";
    return 1;
  }
  std::cout << "connect(\"ftp://nowhere\"): " << result.message() << "\n";
  return 0;
}
