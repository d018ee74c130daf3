// The public websocket handle: forwards to websocket_impl on the connection's strand.
#include "detail/carrier.hpp"
#include "detail/completion.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include <h2ws/error.hpp>
#include <h2ws/websocket.hpp>

#include <tuple>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/io_context.hpp>
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

namespace {

// Calls `(impl.*method)(args...)` on the connection's strand, in call order. Called on the
// strand with no earlier call still posted, it runs at once with the arguments passed
// straight through (no hop, no closure to move them into; the operation still completes
// later, never inside the call); otherwise it is posted behind the earlier ones.
template <class Method, class... Args>
void call_on_strand(const std::shared_ptr<detail::websocket_impl>& impl, Method method,
                    Args&&... args) {
  if (impl->posted_calls.load(std::memory_order_acquire) == 0 &&
      impl->connection().strand().running_in_this_thread())
    return ((*impl).*method)(std::forward<Args>(args)...);
  impl->posted_calls.fetch_add(1, std::memory_order_acq_rel);
  detail::post_recycled(
      impl->connection().strand(),
      [impl, method, args = std::make_tuple(std::forward<Args>(args)...)]() mutable {
        impl->posted_calls.fetch_sub(1, std::memory_order_acq_rel);
        std::apply([&](auto&... a) { ((*impl).*method)(std::move(a)...); }, args);
      });
}

}  // namespace

void websocket::send_impl(message m, send_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler));
  call_on_strand(owner_->impl, &detail::websocket_impl::send, std::move(m), std::move(handler),
                 on_strand_executor);
}

void websocket::receive_impl(receive_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), message{});
  call_on_strand(owner_->impl, &detail::websocket_impl::receive, std::move(handler),
                 on_strand_executor);
}

void websocket::receive_batch_impl(std::vector<message> storage, std::size_t max,
                                   batch_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), std::vector<message>{});
  call_on_strand(owner_->impl, &detail::websocket_impl::receive_batch, std::move(storage), max,
                 std::move(handler), on_strand_executor);
}

void websocket::send_batch_impl(std::vector<message> messages, batch_handler handler,
                                bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), std::move(messages));
  call_on_strand(owner_->impl, &detail::websocket_impl::send_batch, std::move(messages),
                 std::move(handler), on_strand_executor);
}

bool websocket::executor_runs_on_strand(const asio::any_io_executor& ex) const {
  if (!owner_) return false;
  const auto& strand = owner_->impl->connection().strand();
  if (const auto* s = ex.target<detail::carrier::strand_type>()) return *s == strand;
  // An executor of the io_context the strand runs on: dispatch() from inside the strand
  // runs it inline, since the strand's handlers run inside that context's run().
  using io_executor = asio::io_context::executor_type;
  const auto* io = ex.target<io_executor>();
  return io && &io->context() == &strand.get_inner_executor().context();
}

void websocket::close_impl(std::uint16_t code, std::string reason, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  call_on_strand(owner_->impl, &detail::websocket_impl::close, code, std::move(reason),
                 std::move(handler));
}

void websocket::ping_impl(std::string payload, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  call_on_strand(owner_->impl, &detail::websocket_impl::ping, std::move(payload),
                 std::move(handler));
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
  return owner_ ? owner_->impl->headers() : empty_headers;
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
