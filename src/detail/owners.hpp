// The objects behind the public handles. Their destructors run when the user
// drops the last handle; they tell the implementation (on its strand) so a
// forgotten websocket is reset and an unused connection is closed.
#pragma once

#include <memory>

namespace h2ws::detail {

class connection_impl;
class websocket_impl;

struct connection_owner {
  std::shared_ptr<connection_impl> impl;
  explicit connection_owner(std::shared_ptr<connection_impl> i) : impl(std::move(i)) {}
  ~connection_owner();
};

struct websocket_owner {
  std::shared_ptr<websocket_impl> impl;
  // Keeps a client connection open while any of its websockets is held.
  std::shared_ptr<connection_owner> connection;
  websocket_owner(std::shared_ptr<websocket_impl> i, std::shared_ptr<connection_owner> c)
      : impl(std::move(i)), connection(std::move(c)) {}
  ~websocket_owner();
};

}  // namespace h2ws::detail
