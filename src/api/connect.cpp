// The one-call helper: connection::connect, then open_websocket on the URL's path.
#include <h2ws/connect.hpp>

#include <memory>

namespace h2ws::detail {

void connect_websocket_impl(
    boost::asio::any_io_executor ex, std::string url, websocket_request request, options opts,
    boost::asio::any_completion_handler<void(boost::system::error_code, websocket)> handler) {
  using handler_type =
      boost::asio::any_completion_handler<void(boost::system::error_code, websocket)>;
  // Shared so both steps can reach the one handler without copying it.
  auto shared = std::make_shared<handler_type>(std::move(handler));
  connection::connect(ex, url, std::move(opts),
                      [shared, request = std::move(request)](boost::system::error_code ec,
                                                             connection conn) mutable {
                        if (ec) return std::move(*shared)(ec, websocket{});
                        if (request.path.empty()) request.path = conn.default_path();
                        conn.open_websocket(request,
                                            [shared](boost::system::error_code ec, websocket ws) {
                                              std::move (*shared)(ec, std::move(ws));
                                            });
                      });
}

}  // namespace h2ws::detail
