#include "detail/websocket_impl.hpp"

#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include "detail/owners.hpp"
#include <h2ws/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

ws::session_config session_config_from(const options& o, ws::role role) {
  ws::session_config config;
  config.local_role = role;
  config.limits.max_message_size = o.max_message_size;
  config.limits.max_frame_size = o.max_frame_size;
  config.max_send_frame_size = o.max_send_frame_size;
  config.unread_after_close = o.stream_window;
  config.close_timeout = o.close_timeout;
  config.trace = &o.trace;
  config.trace_frames = traces_frames(o);
  return config;
}

// Messages one pump hands over before it lets other handlers run.
constexpr int max_pumped = 256;

}  // namespace

// Client open over HTTP/2: made when the CONNECT is prepared, dropped once the open is decided.
struct websocket_impl::opening_state {
  connection::open_handler handler;
  std::shared_ptr<connection_owner> owner;  // goes with the handle
  std::vector<std::string> offered_subprotocols;
  header_list headers;           // the answer's, as they come
  std::size_t header_bytes = 0;  // as RFC 9113 counts them (name + value + 32 per field)
  bool headers_too_big = false;
};

// Pending close() and ping() calls: made at the first one.
struct websocket_impl::control_waiters {
  std::vector<websocket::send_handler> closes;
  ws::fifo<websocket::send_handler> pings;
};

const std::shared_ptr<const ws::session_config>& carrier::session_config(ws::role role) {
  if (!session_config_ || session_config_->local_role != role)
    session_config_ = std::make_shared<const ws::session_config>(session_config_from(opts(), role));
  return session_config_;
}

websocket_impl::websocket_impl(std::shared_ptr<carrier> conn, ws::role role)
    : conn_(std::move(conn)), session_(conn_->session_config(role), nullptr) {}

websocket_impl::~websocket_impl() = default;

net::timer& websocket_impl::timer() {
  if (!timer_) timer_ = std::make_unique<net::timer>(conn_->strand());
  return *timer_;
}

websocket_impl::opening_state& websocket_impl::opening() {
  if (!opening_state_) opening_state_ = std::make_unique<opening_state>();
  return *opening_state_;
}

websocket_impl::control_waiters& websocket_impl::waiters() {
  if (!waiters_) waiters_ = std::make_unique<control_waiters>();
  return *waiters_;
}

void websocket_impl::offer_subprotocols(const std::vector<std::string>& offered) {
  opening().offered_subprotocols = offered;
}

void websocket_impl::make_raw() { session_.use_raw_bytes(); }

void websocket_impl::await_open(connection::open_handler handler,
                                std::shared_ptr<connection_owner> owner) {
  auto& o = opening();
  store_handler(o.handler, std::move(handler));
  o.owner = std::move(owner);
  watch_cancellation(o.handler, cancellable::open, 0);
  auto timeout = conn_->opts().open_timeout;
  if (timeout.count() == 0) return;
  timer().expires_after(timeout);
  timer().async_wait([self = shared_from_this()](error_code ec) {
    if (ec || !self->opening_) return;
    self->conn_->trace("! websocket open timed out, resetting stream " +
                       std::to_string(self->stream_id));
    self->conn_->reset(self->stream_id, ws::stream_cancel);
    self->conn_->wake_writer();
    self->finish_open(make_error_code(error::timeout));
  });
}

void websocket_impl::mark_open() {
  opening_ = false;
  open_flag_ = true;
}

void websocket_impl::finish_open(error_code ec) {
  if (!opening_state_ || !opening_state_->handler) return;
  auto self = shared_from_this();  // apply() may make the carrier forget this stream
  opening_ = false;
  const auto opening = std::move(opening_state_);  // decided: the opening state goes
  set_headers(opening->headers);                   // a refusal's too, for the caller to look at
  if (ec) {
    if (timer_) timer_->cancel();
    session_.on_connection_failed(ec);
    apply();
  } else {
    timer_.reset();  // nothing else needs it until a close (its wait ends as cancelled)
    mark_open();
  }
  auto handler = take_handler(opening->handler);
  websocket handle(std::make_shared<websocket_owner>(shared_from_this(), opening->owner));
  complete_later(conn_->strand(), std::move(handler), ec, std::move(handle));
}

void websocket_impl::on_header(std::string_view name, std::string_view value) {
  if (!opening_state_) return;  // trailers, or no open under way: not kept
  auto& o = *opening_state_;
  // RFC 9113 6.5.2 accounting: name + value + 32 per field.
  o.header_bytes += name.size() + value.size() + 32;
  if (o.header_bytes > conn_->opts().max_header_list_size) {
    o.headers_too_big = true;
    return;
  }
  if (name == ":status") {
    unsigned s = 0;
    std::from_chars(value.data(), value.data() + value.size(), s);
    status = s;
  }
  o.headers.emplace_back(std::string(name), std::string(value));
}

void websocket_impl::on_headers_complete(bool end_stream) {
  if (!opening_) {  // trailers
    if (end_stream) on_remote_end_stream();
    return;
  }
  if (!opening_state_) return;
  auto& o = *opening_state_;
  auto fail_open = [&](error c) {
    if (!end_stream) conn_->reset(stream_id, ws::stream_cancel);
    conn_->wake_writer();
    finish_open(make_error_code(c));
  };
  if (o.headers_too_big) {
    conn_->trace("! the answer's headers exceed max_header_list_size");
    return fail_open(error::bad_handshake_response);
  }
  if (status >= 100 && status < 200) {  // interim answer: the final one follows
    o.headers.clear();
    o.header_bytes = 0;
    status = 0;
    return;
  }
  if (status < 200 || status > 299) return fail_open(error::refused);
  // A 2xx that already ends the stream leaves no tunnel to talk through.
  if (end_stream) return fail_open(error::tunnel_closed);
  if (accept_extensions()) return fail_open(error::bad_extension_negotiation);
  for (const auto& [name, value] : o.headers) {
    if (name != "sec-websocket-protocol") continue;
    if (std::find(o.offered_subprotocols.begin(), o.offered_subprotocols.end(), value) ==
        o.offered_subprotocols.end())
      return fail_open(error::unexpected_subprotocol);
    subprotocol = value;
  }
  finish_open({});
}

error_code deflate_params_of(const deflate_options& o, ws::deflate_params& out) {
  auto bits_ok = [](int b) { return b >= 8 && b <= 15; };
  if (!bits_ok(o.client_max_window_bits) || !bits_ok(o.server_max_window_bits) || o.level < -1 ||
      o.level > 9 || o.mem_level < 1 || o.mem_level > 9)
    return make_error_code(boost::system::errc::invalid_argument);
  out.client_max_window_bits = o.client_max_window_bits;
  out.server_max_window_bits = o.server_max_window_bits;
  out.client_no_context_takeover = o.client_no_context_takeover;
  out.server_no_context_takeover = o.server_no_context_takeover;
  return {};
}

void websocket_impl::enable_deflate(const ws::deflate_params& params) {
  const auto& d = conn_->opts().deflate;
  session_.enable_deflate(params, d.mem_level, d.level);
}

std::string websocket_impl::extension_fields() const {
  std::string joined;
  auto add = [&](std::string_view name, std::string_view value) {
    if (name != "sec-websocket-extensions") return;
    if (!joined.empty()) joined += ", ";
    joined += value;
  };
  if (opening_state_) {  // a client's answer, not decided yet
    for (const auto& [name, value] : opening_state_->headers) add(name, value);
  } else {
    headers_.for_each(add);
  }
  return joined;
}

error_code websocket_impl::accept_extensions() {
  const auto answer = extension_fields();
  if (!conn_->opts().compression) {
    // We offered nothing: any extension in the answer breaks RFC 6455 9.1.
    return answer.empty() ? error_code{} : make_error_code(error::bad_extension_negotiation);
  }
  ws::deflate_params offered;
  if (auto ec = deflate_params_of(conn_->opts().deflate, offered)) return ec;
  std::optional<ws::deflate_params> agreed;
  if (auto ec = ws::parse_server_answer(answer, offered, agreed)) return ec;
  if (agreed) {
    extensions = std::string(answer);
    enable_deflate(*agreed);
  }
  return {};
}

// --- Events from the carrier: each goes to the session, then its actions are carried out ---

void websocket_impl::on_data(std::span<const std::uint8_t> data) {
  if (opening_) {  // nothing reads DATA before the answer: give the window back
    conn_->consume(stream_id, data.size());
    return;
  }
  session_.on_bytes(data);
  apply();
}

void websocket_impl::on_remote_end_stream() {
  if (opening_) return;
  session_.on_end_stream();
  apply();
}

void websocket_impl::on_stream_closed(std::uint32_t error_code_value) {
  if (opening_) {
    bool refused_by_goaway = error_code_value == ws::stream_refused;
    finish_open(make_error_code(refused_by_goaway ? error::goaway : error::stream_reset));
  }
  session_.on_stream_closed(error_code_value);  // after a failed open, records the code only
  apply();
}

void websocket_impl::on_connection_failed(error_code ec) {
  if (opening_) {
    finish_open(ec);
    return;
  }
  session_.on_connection_failed(ec);
  apply();
}

websocket_impl::output_status websocket_impl::poll_output(std::size_t max) {
  output_status s;
  s.ready = std::min(max, session_.output_size());
  s.ends = s.ready == session_.output_size() && session_.output_ends();
  s.waiting = s.ready == 0 && !s.ends;
  s.drained = !s.waiting && !s.ends && s.ready == session_.output_size();
  waiting_for_resume_ = s.waiting || s.drained;
  return s;
}

std::size_t websocket_impl::take_output(ws::byte_buffer& to, std::size_t n) {
  n = session_.take_output(to, n);
  complete_sends();
  return n;
}

void websocket_impl::carry_out(ws::actions a) {
  if (a.finished || a.reset || a.close_completed || a.pongs != 0 ||
      a.timer != ws::actions::timer_change::keep)
    return carry_out_all(a);
  // What a message in or out asks for, in carry_out_all()'s order.
  const bool window = a.consume > 0 && give_back(a.consume);
  if (a.output && waiting_for_resume_) {
    waiting_for_resume_ = false;
    conn_->resume(stream_id);
  }
  if (a.deliver) deliver();
  if (a.output || window) conn_->wake_writer();
}

void websocket_impl::carry_out_all(ws::actions& a) {
  // forget_stream() may drop the registry's reference; nothing else here runs a handler
  // or lets go of this websocket (completions are posted, deliveries noted or posted).
  std::shared_ptr<websocket_impl> self;
  if (a.finished) self = shared_from_this();
  bool window = a.consume > 0 && give_back(a.consume);
  if (a.timer == ws::actions::timer_change::arm) arm_timer(a.timer_after);
  if (a.timer == ws::actions::timer_change::cancel && timer_) timer_->cancel();
  if (a.reset) conn_->reset(stream_id, *a.reset);
  if (a.output && waiting_for_resume_) {
    waiting_for_resume_ = false;
    conn_->resume(stream_id);
  }
  if (a.close_completed && waiters_) {
    for (auto& h : waiters_->closes) complete_later(conn_->strand(), std::move(h), a.close_result);
    waiters_->closes.clear();
  }
  for (; a.pongs > 0 && waiters_ && !waiters_->pings.empty(); --a.pongs) {
    complete_later(conn_->strand(), std::move(waiters_->pings.front()), error_code{});
    waiters_->pings.pop_front();
  }
  if (a.finished) {
    if (timer_) timer_->cancel();
    const auto failure = session_.send_failure();
    sends_.for_each([&](pending_send& s) {
      if (s.batch)
        complete_later(conn_->strand(), std::move(s.batch), failure, std::move(s.storage));
      else
        complete_later(conn_->strand(), std::move(s.handler), failure);
    });
    sends_.clear();
    if (waiters_) {
      for (auto& h : waiters_->pings)
        complete_later(conn_->strand(), std::move(h), session_.error());
      waiters_->pings.clear();
    }
  }
  if (a.deliver) deliver();
  if (a.finished) {
    window = give_back_held() || window;  // the connection's window would lose them
    conn_->forget_stream(stream_id);
  }
  if (a.output || window || a.reset) conn_->wake_writer();
}

bool websocket_impl::give_back(std::size_t n) {
  held_window_ += n;
  conn_->held_window += n;
  // Once closing, at once: the peer's close must get through.
  if (held_window_ >= conn_->window_quantum || !session_.is_open()) {
    give_back_held();
    return true;
  }
  if (conn_->held_window < conn_->held_window_limit) return false;
  conn_->give_back_held();
  return true;
}

bool websocket_impl::give_back_held() {
  if (held_window_ == 0) return false;
  conn_->held_window -= held_window_;
  conn_->consume(stream_id, std::exchange(held_window_, 0));
  return true;
}

void websocket_impl::arm_timer(std::chrono::nanoseconds after) {
  timer().expires_after(after);
  timer().async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;
    self->session_.on_timer();
    self->apply();
  });
}

// --- Completions ---

namespace {

// Runs `handler(args...)` now, on the strand: inline when it runs there (`on_strand`: known
// before type erasure, so the type-erased handler is not asked for its executor, which
// allocates an any_completion_executor; or its associated executor is the strand),
// otherwise dispatched to its executor. For completions made inside another completion,
// never inside the initiating call.
// The part of complete_now() for a handler not known to run on the strand: kept out of
// line, so that the usual case stays a plain call.
template <class Handler, class... Args>
void complete_on_own_executor(const asio::any_completion_executor& strand, Handler&& handler,
                              Args&&... args) {
  auto handler_ex = asio::get_associated_executor(handler, strand);
  run_on<carrier::strand_type>(
      handler_ex, [h = std::move(handler), ... args = std::forward<Args>(args)]() mutable {
        std::move(h)(std::move(args)...);
      });
}

template <class Handler, class... Args>
inline void complete_now(const asio::any_completion_executor& strand, Handler&& handler,
                         bool on_strand, Args&&... args) {
  if (on_strand) return std::move(handler)(std::forward<Args>(args)...);
  complete_on_own_executor(strand, std::move(handler), std::forward<Args>(args)...);
}

// A completed send: a send()'s handler, or a send_batch()'s with its emptied vector.
inline void complete_send(const asio::any_completion_executor& strand,
                          carrier::completed_send&& done) {
  if (done.batch)
    return complete_now(strand, std::move(done.batch), done.on_strand, error_code{},
                        std::move(done.storage));
  complete_now(strand, std::move(done.handler), done.on_strand, error_code{});
}

}  // namespace

void websocket_impl::complete_sends() {
  // The writer that took the bytes completes them once its write is under way
  // (carrier::run_completed_sends()).
  while (!sends_.empty() && sends_.front().done_at <= session_.bytes_taken()) {
    auto& front = sends_.front();
    conn_->completed_sends.push_back({std::move(front.handler), front.on_strand,
                                      std::move(front.batch), std::move(front.storage)});
    sends_.pop_front();
  }
}

void carrier::run_completed_sends() {
  if (completed_sends.empty()) return;
  // Swapped out first: a handler may send, and the next write collect more.
  auto done = std::move(completed_sends);
  completed_sends.clear();
  for (std::size_t i = 0; i < done.size(); ++i) {
    try {
      complete_send(completion_executor(), std::move(done[i]));
    } catch (...) {
      // A handler threw (out of run(), as from any handler): the others still complete,
      // posted.
      std::vector<completed_send> rest;
      for (std::size_t j = i + 1; j < done.size(); ++j) rest.push_back(std::move(done[j]));
      if (!rest.empty())
        post_recycled(strand(), [ex = completion_executor(), rest = std::move(rest)]() mutable {
          for (auto& r : rest) complete_send(ex, std::move(r));
        });
      throw;
    }
  }
  done.clear();
  if (completed_sends.empty()) completed_sends.swap(done);  // keep the capacity
}

void websocket_impl::deliver() {
  if (!receive_pending()) return;
  if (session_.has_message()) {
    // A pump is handing messages over right now: it takes this one once the
    // handler it is running returns (outside this receive() call).
    if (pumping_) return;
    if (conn_->reading) {  // the read handler hands it over once the bytes are in
      if (!delivery_pending_) {
        delivery_pending_ = true;
        conn_->pending_deliveries.push_back(shared_from_this());
      }
      return;
    }
    const bool on_strand = receive_on_strand_;
    // Counted until the handler is handed over, so that the writer waits for what the
    // application sends in answer (carrier::deliveries_in_flight).
    ++conn_->deliveries_in_flight;
    if (batch_handler_) {
      post_recycled(conn_->strand(), [self = shared_from_this(), h = take_batch_handler(),
                                      on_strand, batch = take_batch()]() mutable {
        --self->conn_->deliveries_in_flight;
        self->pump_batch(std::move(h), on_strand, std::move(batch));
      });
      return;
    }
    auto m = session_.take_message();
    auto h = take_receive_handler();
    post_recycled(conn_->strand(), [self = shared_from_this(), h = std::move(h), on_strand,
                                    m = std::move(m)]() mutable {
      --self->conn_->deliveries_in_flight;
      self->pump(std::move(h), on_strand, std::move(m));
    });
  } else if (session_.error()) {
    if (batch_handler_) return fail_batch(session_.error());
    auto h = take_receive_handler();
    complete_later(conn_->strand(), std::move(h), session_.error(), message{});
  }
}

void carrier::run_deliveries() {
  // Swapped out first: handlers run here may read (and note) more.
  auto pending = std::move(pending_deliveries);
  pending_deliveries.clear();
  for (std::size_t i = 0; i < pending.size(); ++i) {
    try {
      pending[i]->deliver_now();
    } catch (...) {
      // A handler threw (out of run(), as from any handler): the others still get theirs,
      // posted as usual.
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      pending.insert(pending.end(), pending_deliveries.begin(), pending_deliveries.end());
      pending_deliveries.swap(pending);
      post_deliveries();
      throw;
    }
  }
  pending.clear();
  if (pending_deliveries.empty()) pending_deliveries.swap(pending);  // keep the capacity
}

bool carrier::deliver_noted(std::exception_ptr& thrown) {
  if (pending_deliveries.empty()) return false;
  if (thrown) {
    post_deliveries();
    return true;
  }
  try {
    run_deliveries();
  } catch (...) {
    thrown = std::current_exception();
  }
  return true;
}

void carrier::post_deliveries() {
  auto pending = std::move(pending_deliveries);
  pending_deliveries.clear();
  for (auto& ws : pending) {
    ws->delivery_pending_ = false;
    ws->deliver();
  }
}

// A delivery the read handler noted: the receive is still waiting (nothing else takes
// handlers or messages on the strand meanwhile), so hand over at once.
void websocket_impl::deliver_now() {
  delivery_pending_ = false;
  if (!receive_pending() || pumping_ || !session_.has_message()) return deliver();
  if (batch_handler_) {
    auto batch = take_batch();
    return pump_batch(take_batch_handler(), receive_on_strand_, std::move(batch));
  }
  auto m = session_.take_message();
  auto h = take_receive_handler();
  pump(std::move(h), receive_on_strand_, std::move(m));
}

// Hands `value` to `h`, then, as long as the handler asked for the next one before
// returning (a coroutine awaiting a receive in a loop, on this strand: `pending` is set
// again) and the session has messages, takes them (`next` fills the handler and the value)
// and hands them over too: many per scheduler turn instead of one. Every handler runs
// after the call that started it has returned.
template <class Handler, class Value, class Next>
void websocket_impl::pump_each(Handler&& h, bool on_strand, Value&& value, const Handler& pending,
                               Next next) {
  {
    pumping_scope scope(this);
    for (int n = 1;; ++n) {
      complete_now(conn_->completion_executor(), std::move(h), on_strand, error_code{},
                   std::move(value));
      if (!pending || !session_.has_message() || n == max_pumped) break;
      next(h, value);
      on_strand = receive_on_strand_;
    }
  }
  deliver();  // what is left, or the error after the last message
  apply();    // the window given back as messages were taken
}

void websocket_impl::pump(websocket::receive_handler h, bool on_strand, message m) {
  pump_each(std::move(h), on_strand, std::move(m), receive_handler_,
            [this](websocket::receive_handler& next_h, message& next_m) {
              next_m = session_.take_message();
              store_handler(next_h, take_receive_handler());
            });
}

// --- Requests of the application ---

void websocket_impl::send(message&& m, websocket::send_handler&& handler, bool on_strand) {
  std::uint64_t done_at = 0;
  if (auto ec = opening_ ? make_error_code(error::closed) : session_.send(std::move(m), done_at)) {
    complete_later(conn_->strand(), std::move(handler), ec);
    return;
  }
  sends_.push_back({done_at, std::move(handler), on_strand, {}, {}});
  watch_cancellation(sends_.back().handler, cancellable::send, done_at);
  apply();
}

void websocket_impl::receive(websocket::receive_handler&& handler, bool on_strand) {
  if (receive_pending()) {
    complete_later(conn_->strand(), std::move(handler),
                   make_error_code(boost::asio::error::already_started), message{});
    return;
  }
  store_handler(receive_handler_, std::move(handler));
  receive_on_strand_ = on_strand;
  watch_cancellation(receive_handler_, cancellable::receive, ++receives_);
  session_.on_receive_requested();
  apply();
}

void websocket_impl::receive_batch(std::vector<message>&& storage, std::size_t max,
                                   websocket::batch_handler&& handler, bool on_strand) {
  if (receive_pending()) {
    complete_later(conn_->strand(), std::move(handler),
                   make_error_code(boost::asio::error::already_started), std::move(storage));
    return;
  }
  storage.clear();
  batch_storage_ = std::move(storage);
  batch_max_ = std::max<std::size_t>(max, 1);
  store_handler(batch_handler_, std::move(handler));
  receive_on_strand_ = on_strand;
  watch_cancellation(batch_handler_, cancellable::receive, ++receives_);
  session_.on_receive_requested();
  apply();
}

std::vector<message> websocket_impl::take_batch() {
  auto batch = std::exchange(batch_storage_, {});
  // Storage given none is found only now (take_messages()), so that a receive waiting on an
  // idle websocket holds none.
  session_.take_messages(batch, batch_max_);
  return batch;
}

void websocket_impl::fail_batch(error_code ec) {
  auto batch = std::exchange(batch_storage_, {});
  complete_later(conn_->strand(), take_batch_handler(), ec, std::move(batch));
}

websocket::batch_handler websocket_impl::take_batch_handler() {
  if (auto slot = batch_handler_.get_cancellation_slot(); slot.is_connected()) slot.clear();
  return take_handler(batch_handler_);
}

void websocket_impl::pump_batch(websocket::batch_handler h, bool on_strand,
                                std::vector<message> batch) {
  pump_each(std::move(h), on_strand, std::move(batch), batch_handler_,
            [this](websocket::batch_handler& next_h, std::vector<message>& next_batch) {
              next_batch = take_batch();
              store_handler(next_h, take_batch_handler());
            });
}

void websocket_impl::send_batch(std::vector<message>&& messages, websocket::batch_handler&& handler,
                                bool on_strand) {
  std::uint64_t done_at = 0;
  error_code ec = opening_ ? make_error_code(error::closed) : error_code{};
  for (auto& m : messages) {
    if (ec) break;
    ec = session_.send(std::move(m), done_at);
  }
  if (ec || messages.empty()) {  // nothing queued
    messages.clear();
    complete_later(conn_->strand(), std::move(handler), ec, std::move(messages));
    return;
  }
  messages.clear();
  sends_.push_back({done_at, {}, on_strand, std::move(handler), std::move(messages)});
  watch_cancellation(sends_.back().batch, cancellable::send, done_at);
  apply();
}

void websocket_impl::close(std::uint16_t code, std::string reason,
                           websocket::send_handler handler) {
  auto now = session_.close(code, reason);
  if (now) {
    complete_later(conn_->strand(), std::move(handler), *now);
  } else {
    auto& closes = waiters().closes;
    closes.push_back(std::move(handler));
    watch_cancellation(closes.back(), cancellable::close, 0);
  }
  apply();
}

void websocket_impl::ping(std::string payload, websocket::send_handler handler) {
  if (auto now = session_.ping(std::move(payload))) {
    complete_later(conn_->strand(), std::move(handler), *now);
    return;
  }
  auto& pings = waiters().pings;
  pings.push_back(std::move(handler));
  watch_cancellation(pings.back(), cancellable::ping, ++pings_);
  apply();
}

void websocket_impl::going_away() {
  if (opening_) return;
  session_.going_away();
  apply();
}

void websocket_impl::keepalive() {
  if (opening_) return;
  session_.keepalive();
  apply();
}

template <class Handler>
void websocket_impl::watch_cancellation(Handler& handler, cancellable what, std::uint64_t id) {
  // Most handlers have no slot: decided here, before the strand is looked up.
  if (!handler.get_cancellation_slot().is_connected()) return;
  on_cancellation(handler, *this, conn_->strand(),
                  [what, id](websocket_impl& self, asio::cancellation_type type) {
                    self.on_cancel(what, id, type);
                  });
}

websocket::receive_handler websocket_impl::take_receive_handler() {
  // The slot's canceller goes first: the operation is over once its handler is taken.
  if (auto slot = receive_handler_.get_cancellation_slot(); slot.is_connected()) slot.clear();
  return take_handler(receive_handler_);
}

void websocket_impl::on_cancel(cancellable what, std::uint64_t id, asio::cancellation_type type) {
  if (what == cancellable::receive) {
    // Still the receive it was for: nothing was taken for it, so nothing is lost.
    if (!receive_pending() || id != receives_ || pumping_) return;
    if (batch_handler_) return fail_batch(make_error_code(error::operation_aborted));
    auto h = take_receive_handler();
    complete_later(conn_->strand(), std::move(h), make_error_code(error::operation_aborted),
                   message{});
    return;
  }
  if (!is_terminal(type)) return;
  bool pending = false;
  switch (what) {
    case cancellable::send:
      pending = !sends_.empty() && sends_.front().done_at <= id && id <= sends_.back().done_at;
      break;
    case cancellable::close:
      pending = waiters_ && !waiters_->closes.empty();
      break;
    case cancellable::ping:
      pending = waiters_ && id > pings_ - waiters_->pings.size();
      break;
    case cancellable::open:
      if (opening_state_ && opening_state_->handler) {
        conn_->trace("! websocket open cancelled, resetting stream " + std::to_string(stream_id));
        conn_->reset(stream_id, ws::stream_cancel);
        conn_->wake_writer();
        finish_open(make_error_code(error::operation_aborted));
      }
      return;
    case cancellable::receive:
      break;
  }
  if (!pending) return;
  conn_->trace("! operation cancelled (terminal): abandoning stream " + std::to_string(stream_id));
  abandon();
}

void websocket_impl::abandon() {
  session_.abandon();
  apply();
}

void websocket_impl::raw_end_stream() {
  session_.end_stream_now();
  apply();
}

void websocket_impl::raw_reset(std::uint32_t error_code_value) {
  if (session_.state() == ws::close_state::finished) return;
  conn_->reset(stream_id, error_code_value);
  conn_->wake_writer();
}

}  // namespace h2ws::detail
