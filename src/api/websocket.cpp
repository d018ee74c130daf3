// The public websocket handle: forwards to websocket_impl on the connection's strand.
#include "detail/carrier.hpp"
#include "detail/completion.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include <h2ws/error.hpp>
#include <h2ws/websocket.hpp>

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

// Whether a call made now may run at once: on the connection's strand, with no earlier call
// still posted. It then runs at once (no hop; the operation still completes later, never
// inside the call), taking its arguments straight through (no closure to move them into).
bool runs_inline(detail::websocket_impl& impl) {
  return impl.posted_calls.load(std::memory_order_acquire) == 0 &&
         impl.connection().strand().running_in_this_thread();
}

// Runs `call(impl)` on the connection's strand, posted behind the earlier calls.
template <class Call>
void post_to_strand(const std::shared_ptr<detail::websocket_impl>& impl, Call&& call) {
  impl->posted_calls.fetch_add(1, std::memory_order_acq_rel);
  detail::post_recycled(impl->connection().strand(), [impl, call = std::move(call)]() mutable {
    impl->posted_calls.fetch_sub(1, std::memory_order_acq_rel);
    call(*impl);
  });
}

// Runs `call(impl)` on the connection's strand, in call order: at once when runs_inline().
template <class Call>
void on_strand(const std::shared_ptr<detail::websocket_impl>& impl, Call&& call) {
  if (runs_inline(*impl)) return call(*impl);
  post_to_strand(impl, std::forward<Call>(call));
}

}  // namespace

void websocket::send_impl(message m, send_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler));
  if (auto& impl = *owner_->impl; runs_inline(impl))
    return impl.send(std::move(m), std::move(handler), on_strand_executor);
  post_to_strand(owner_->impl, [m = std::move(m), h = std::move(handler),
                                on_strand_executor](detail::websocket_impl& impl) mutable {
    impl.send(std::move(m), std::move(h), on_strand_executor);
  });
}

void websocket::receive_impl(receive_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), message{});
  if (auto& impl = *owner_->impl; runs_inline(impl))
    return impl.receive(std::move(handler), on_strand_executor);
  post_to_strand(owner_->impl, [h = std::move(handler),
                                on_strand_executor](detail::websocket_impl& impl) mutable {
    impl.receive(std::move(h), on_strand_executor);
  });
}

void websocket::receive_batch_impl(std::vector<message> storage, std::size_t max,
                                   batch_handler handler, bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), std::vector<message>{});
  if (auto& impl = *owner_->impl; runs_inline(impl))
    return impl.receive_batch(std::move(storage), max, std::move(handler), on_strand_executor);
  post_to_strand(owner_->impl, [storage = std::move(storage), max, h = std::move(handler),
                                on_strand_executor](detail::websocket_impl& impl) mutable {
    impl.receive_batch(std::move(storage), max, std::move(h), on_strand_executor);
  });
}

void websocket::send_batch_impl(std::vector<message> messages, batch_handler handler,
                                bool on_strand_executor) {
  if (!owner_) return fail_unbound(std::move(handler), std::move(messages));
  if (auto& impl = *owner_->impl; runs_inline(impl))
    return impl.send_batch(std::move(messages), std::move(handler), on_strand_executor);
  post_to_strand(owner_->impl, [messages = std::move(messages), h = std::move(handler),
                                on_strand_executor](detail::websocket_impl& impl) mutable {
    impl.send_batch(std::move(messages), std::move(h), on_strand_executor);
  });
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
  on_strand(owner_->impl, [code, reason = std::move(reason),
                           h = std::move(handler)](detail::websocket_impl& impl) mutable {
    impl.close(code, std::move(reason), std::move(h));
  });
}

void websocket::ping_impl(std::string payload, send_handler handler) {
  if (!owner_) return fail_unbound(std::move(handler));
  on_strand(owner_->impl, [payload = std::move(payload),
                           h = std::move(handler)](detail::websocket_impl& impl) mutable {
    impl.ping(std::move(payload), std::move(h));
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
