// The client side with plain callbacks: no coroutines, no futures. Each step starts the next
// from its completion handler. Self-contained: it starts an echo server on 127.0.0.1 (a free
// port) in the same process and exits (0 when every echo came back).
//   ./example_callback_client
#include <h2ws/h2ws.hpp>

#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace asio = boost::asio;
using boost::system::error_code;

// The client's state outlives ioc.run(), so the handlers may capture `this`.
class client {
 public:
  client(asio::any_io_executor ex, std::string url, h2ws::server& server)
      : ex_(std::move(ex)), url_(std::move(url)), server_(server) {}

  void start() {
    h2ws::connection::connect(ex_, url_, {}, [this](error_code ec, h2ws::connection conn) {
      if (ec) return fail("connect", ec);
      conn_ = std::move(conn);
      conn_.open_websocket("/echo", [this](error_code ec, h2ws::websocket ws) {
        if (ec) return fail("open", ec);
        ws_ = std::move(ws);
        std::cout << "open: stream " << ws_.stream_id() << ", HTTP " << ws_.status() << "\n";
        receive_next();  // one receive outstanding...
        for (const auto& line : lines_) {
          // ...and every send at once: they are queued and go out in call order.
          ws_.send(h2ws::message::text(line), [this](error_code ec) {
            if (ec) fail("send", ec);
          });
        }
      });
    });
  }

  int status() const { return status_; }

 private:
  void receive_next() {
    ws_.receive([this](error_code ec, h2ws::message m) {
      if (ec) return fail("receive", ec);
      std::cout << "< " << m.text() << "\n";
      if (m.text() != lines_[received_]) return fail("receive", "the echo differs");
      if (++received_ < lines_.size()) return receive_next();
      ws_.close(h2ws::close_code::normal, "bye", [this](error_code ec) {
        if (ec) return fail("close", ec);
        std::cout << "closed\n";
        finish();
      });
    });
  }

  void fail(const char* what, error_code ec) { fail(what, ec.message()); }
  void fail(const char* what, const std::string& why) {
    std::cerr << what << ": " << why << "\n";
    status_ = 1;
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    conn_.close();
    server_.stop();  // handlers run on the io_context's thread, where stop() belongs
  }

  asio::any_io_executor ex_;
  std::string url_;
  h2ws::server& server_;
  std::vector<std::string> lines_ = {"one", "two", "three"};
  std::size_t received_ = 0;
  h2ws::connection conn_;
  h2ws::websocket ws_;
  int status_ = 0;
  bool finished_ = false;
};

int main() {
  asio::io_context ioc;
  h2ws::server server(ioc.get_executor(), {}, h2ws::echo);
  if (auto ec = server.listen("127.0.0.1", 0)) {
    std::cerr << "listen: " << ec.message() << "\n";
    return 1;
  }
  client c(ioc.get_executor(), "ws://127.0.0.1:" + std::to_string(server.port()), server);
  c.start();
  ioc.run();
  return c.status();
}
