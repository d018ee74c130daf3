// The public websocket handle: forwards to websocket_impl on the connection's strand.
#include "detail/carrier.hpp"
#include "detail/completion.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include <h2ws/error.hpp>
#include <h2ws/websocket.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

namespace h2ws {

namespace asio = boost::asio;

namespace {
const std::string empty_string;
const header_list empty_headers;

template <class Handler, class... Args>
void fail_unbound(Handler&& handler, Args&&... args) {
  detail::complete_later_unbound(std::forward<Handler>(handler),
                                 make_error_code(error::operation_aborted),
                                 std::forward<Args>(args)...);
}
}  // namespace

websocket::websocket(std::shared_ptr<detail::websocket_owner> owner) : owner_(std::move(owner)) {}

websocket::~websocket() = default;

void websocket::send_impl(message m, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  // Already on the strand (a handler of this connection): no hop. The operation still
  // completes later, never inside this call.
  if (owner_->impl->connection().strand().running_in_this_thread())
    return owner_->impl->send(std::move(m), std::move(handler));
  auto impl = owner_->impl;
  asio::post(impl->connection().strand(),
             [impl, m = std::move(m), h = std::move(handler)]() mutable {
               impl->send(std::move(m), std::move(h));
             });
}

void websocket::receive_impl(receive_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler), message{});
  if (owner_->impl->connection().strand().running_in_this_thread())
    return owner_->impl->receive(std::move(handler));
  auto impl = owner_->impl;
  asio::post(impl->connection().strand(),
             [impl, h = std::move(handler)]() mutable { impl->receive(std::move(h)); });
}

void websocket::close_impl(std::uint16_t code, std::string reason, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  auto impl = owner_->impl;
  asio::post(impl->connection().strand(),
             [impl, code, reason = std::move(reason), h = std::move(handler)]() mutable {
               impl->close(code, std::move(reason), std::move(h));
             });
}

void websocket::ping_impl(std::string payload, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  auto impl = owner_->impl;
  asio::post(impl->connection().strand(),
             [impl, payload = std::move(payload), h = std::move(handler)]() mutable {
               impl->ping(std::move(payload), std::move(h));
             });
}

websocket::executor_type websocket::get_executor() const {
  return owner_ ? executor_type(owner_->impl->connection().strand()) : executor_type{};
}

bool websocket::is_open() const { return owner_ && owner_->impl->is_open(); }
std::int32_t websocket::stream_id() const { return owner_ ? owner_->impl->stream_id : -1; }
const std::string& websocket::subprotocol() const {
  return owner_ ? owner_->impl->subprotocol : empty_string;
}
const std::string& websocket::extensions() const {
  return owner_ ? owner_->impl->extensions : empty_string;
}
unsigned websocket::status() const { return owner_ ? owner_->impl->status : 0; }
const header_list& websocket::handshake_headers() const {
  return owner_ ? owner_->impl->headers : empty_headers;
}
const std::string& websocket::path() const { return owner_ ? owner_->impl->path : empty_string; }
std::uint16_t websocket::peer_close_code() const {
  return owner_ ? owner_->impl->peer_close_code() : 1006;
}
std::string websocket::peer_close_reason() const {
  return owner_ ? owner_->impl->peer_close_reason() : std::string();
}
int websocket::http_version() const {
  return owner_ ? owner_->impl->connection().http_version() : 0;
}
std::uint32_t websocket::reset_code() const { return owner_ ? owner_->impl->reset_code() : 0; }

}  // namespace h2ws
