// reconnecting_websocket: one coroutine (run_loop) opens a websocket, pumps its messages
// into a one-message inbox, and on a loss reports unconfirmed sends and opens again after
// a backoff. Every member runs on the strand.
#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include <h2ws/connect.hpp>
#include <h2ws/error.hpp>
#include <h2ws/reconnecting_websocket.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <mutex>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using send_handler = reconnecting_websocket::send_handler;
using receive_handler = reconnecting_websocket::receive_handler;

namespace {

constexpr auto await_tuple = asio::as_tuple(asio::use_awaitable);

// Closes that mean "come back later" rather than "go away for good".
bool close_code_invites_reconnect(std::uint16_t code) {
  switch (code) {
    case 1001:  // going away (a server restart)
    case 1006:  // no close frame
    case 1011:  // internal error
    case 1012:  // service restart
    case 1013:  // try again later
    case 1014:  // bad gateway
      return true;
    default:
      return false;
  }
}

// A refusal that another attempt will not change: 4xx, a server without RFC 8441, a bad URL.
bool is_final_refusal(error_code ec, unsigned status) {
  if (ec != condition::handshake_failed) return false;
  if (ec != error::refused) return true;
  return status >= 400 && status < 500 && status != 408 && status != 429;
}

bool is_loss(error_code ec, std::uint16_t peer_code) {
  if (ec == error::closed) return close_code_invites_reconnect(peer_code);
  return ec == condition::peer_went_away || ec == error::connection_closed;
}

}  // namespace

class reconnecting_impl : public std::enable_shared_from_this<reconnecting_impl> {
 public:
  using strand_type = asio::strand<asio::any_io_executor>;

  reconnecting_impl(asio::any_io_executor ex, std::string url, websocket_request request,
                    options opts, reconnect_options ropts)
      : ex_(ex),
        strand_(asio::make_strand(ex)),
        url_(std::move(url)),
        request_(std::move(request)),
        opts_(std::move(opts)),
        ropts_(std::move(ropts)),
        backoff_timer_(strand_),
        inbox_wait_(strand_),
        queue_timer_(strand_),
        close_wait_(strand_),
        random_(std::random_device{}()) {
    fold_log_into_trace(opts_);
  }

  strand_type& strand() { return strand_; }
  bool connected() const { return connected_flag_.load(); }
  std::size_t connections() const { return connections_.load(); }
  std::uint16_t peer_close_code() const { return peer_code_.load(); }
  std::string peer_close_reason() const {
    std::lock_guard lock(reason_mutex_);
    return peer_reason_;
  }

  void run(send_handler handler) {
    if (run_started_ || stopping_) {
      complete_later(strand_, std::move(handler),
                     make_error_code(run_started_ ? asio::error::already_started
                                                  : asio::error::operation_aborted));
      return;
    }
    run_started_ = true;
    store_handler(run_handler_, std::move(handler));
    asio::co_spawn(strand_, run_loop(shared_from_this()), asio::detached);
  }

  void send(message m, send_handler handler) {
    auto size = m.size();
    if (ended_ || stopping_) return complete_later(strand_, std::move(handler), error::closed);
    outgoing item{std::move(m), std::move(handler), 0, std::chrono::steady_clock::now()};
    if (connected_ && (queued_.empty() || resubscribing_)) return write_now(std::move(item));
    if (!ropts_.queue_while_disconnected)
      return complete_later(strand_, std::move(item.handler), error::disconnected);
    if (queued_.size() >= ropts_.max_queued_messages ||
        queued_bytes_ + size > ropts_.max_queued_bytes)
      return complete_later(strand_, std::move(item.handler), error::send_queue_full);
    queued_bytes_ += size;
    queued_.push_back(std::move(item));
    if (queued_.size() == 1) arm_queue_timer();
  }

  void receive(receive_handler handler) {
    if (receive_handler_) {
      complete_later(strand_, std::move(handler), make_error_code(asio::error::already_started),
                     message{});
      return;
    }
    store_handler(receive_handler_, std::move(handler));
    deliver();
  }

  void close(close_code code, std::string reason, send_handler handler) {
    if (ended_ || stopping_) return complete_later(strand_, std::move(handler), error_code{});
    stopping_ = true;
    backoff_timer_.cancel();
    if (!connected_) {
      if (!run_started_) end({});
      return complete_later(strand_, std::move(handler), error_code{});
    }
    // The close frame waits until every send is confirmed (or the wait times out): a
    // close answer proves nothing when the server closed first, a pong does.
    pending_close_ = std::make_shared<pending_close>(code, std::move(reason), std::move(handler));
    if (opts_.close_timeout.count() > 0) {
      close_wait_.expires_after(opts_.close_timeout);
      close_wait_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->start_close();
      });
    }
    maybe_start_close();
  }

  struct pending_close {
    pending_close(close_code c, std::string r, send_handler h)
        : code(c), reason(std::move(r)), handler(std::move(h)) {}
    close_code code;
    std::string reason;
    send_handler handler;
  };

  void maybe_start_close() {
    if (pending_close_ && inflight_.empty()) start_close();
  }

  void start_close() {
    auto close = std::move(pending_close_);
    if (!close) return;
    close_wait_.cancel();
    if (!connected_) return complete_later(strand_, std::move(close->handler), error_code{});
    ws_.close(close->code, close->reason,
              asio::bind_executor(strand_, [self = shared_from_this(), close](error_code ec) {
                complete_later(self->strand_, std::move(close->handler), ec);
              }));
  }

  // The handle is gone: stop at once, as a destroyed websocket does.
  void abandon() {
    abandoned_ = !stopping_;  // after close(), the close is what ended it
    stopping_ = true;
    backoff_timer_.cancel();
    ws_ = websocket{};
    if (!run_started_) end(make_error_code(error::operation_aborted));
  }

 private:
  struct outgoing {
    message m;
    send_handler handler;
    std::uint64_t seq = 0;
    std::chrono::steady_clock::time_point queued_at;
  };

  static asio::awaitable<void> run_loop(std::shared_ptr<reconnecting_impl> self) {
    co_await self->loop();
  }

  asio::awaitable<void> loop() {
    std::size_t failures = 0;
    while (!stopping_) {
      auto [ec, ws] = co_await h2ws::connect(ex_, url_, request_, opts_, await_tuple);
      if (stopping_) break;
      status_ = ws.status();
      if (ec && is_final_refusal(ec, status_)) {
        notify(reconnect_event::kind::gave_up, ec, failures + 1);
        end(ec);
        co_return;
      }
      if (ec) {
        ++failures;
        if (ropts_.max_attempts && failures >= ropts_.max_attempts) {
          notify(reconnect_event::kind::gave_up, ec, failures);
          end(make_error_code(error::gave_up));
          co_return;
        }
        co_await pause(reconnect_event::kind::attempt_failed, ec, failures);
        continue;
      }
      failures = 0;
      error_code lost = co_await serve(std::move(ws));
      if (stopping_) break;
      if (!is_loss(lost, peer_code_)) {
        end(lost);
        co_return;
      }
      co_await pause(reconnect_event::kind::lost, lost, 1);
    }
    end(abandoned_ ? make_error_code(error::operation_aborted) : error_code{});
  }

  // Carries one websocket until it ends; returns why it ended.
  asio::awaitable<error_code> serve(websocket ws) {
    ws_ = std::move(ws);
    ++generation_;
    ++connections_;
    connected_ = connected_flag_ = true;
    resubscribing_ = true;
    notify(reconnect_event::kind::connected, {}, 0, 0, &ws_);
    resubscribing_ = false;
    while (connected_ && !queued_.empty()) {
      auto item = std::move(queued_.front());
      queued_.pop_front();
      queued_bytes_ -= item.m.size();
      write_now(std::move(item));
    }
    queue_timer_.cancel();
    error_code lost;
    while (!lost) {
      auto [ec, m] = co_await ws_.receive(await_tuple);
      if (ec) {
        lost = ec;
        break;
      }
      inbox_.push_back(std::move(m));
      deliver();
      // One message waits for the application; the next receive is the backpressure.
      while (!inbox_.empty() && !loss_suspected_) {
        inbox_wait_.expires_at(std::chrono::steady_clock::time_point::max());
        co_await inbox_wait_.async_wait(await_tuple);
      }
      loss_suspected_ = false;
    }
    connected_ = connected_flag_ = false;
    peer_code_ = ws_.peer_close_code();
    {
      std::lock_guard lock(reason_mutex_);
      peer_reason_ = ws_.peer_close_reason();
    }
    ws_ = websocket{};
    last_not_sent_ = fail_inflight();
    co_return lost;
  }

  // Reports `what`, then waits the backoff for attempt `attempt`.
  asio::awaitable<void> pause(reconnect_event::kind what, error_code ec, std::size_t attempt) {
    auto delay = backoff(attempt);
    notify(what, ec, what == reconnect_event::kind::lost ? 0 : attempt,
           what == reconnect_event::kind::lost ? last_not_sent_ : 0, nullptr, delay);
    backoff_timer_.expires_after(delay);
    co_await backoff_timer_.async_wait(await_tuple);
  }

  duration backoff(std::size_t attempt) {
    double factor = std::pow(ropts_.multiplier, static_cast<double>(attempt - 1));
    double base = std::min(static_cast<double>(ropts_.initial_delay.count()) * factor,
                           static_cast<double>(ropts_.max_delay.count()));
    double jitter = std::clamp(ropts_.jitter, 0.0, 1.0);
    double shrink = std::uniform_real_distribution<double>(0.0, jitter)(random_);
    return duration(static_cast<duration::rep>(base * (1.0 - shrink)));
  }

  void notify(reconnect_event::kind what, error_code ec, std::size_t attempt,
              std::size_t not_sent = 0, const websocket* ws = nullptr, duration delay = {}) {
    if (opts_.trace) {
      static constexpr const char* names[] = {"connected", "lost", "attempt failed", "gave up"};
      opts_.trace("* reconnect: " + std::string(names[static_cast<int>(what)]) +
                  (ec ? ": " + ec.message() : std::string()));
    }
    if (!ropts_.on_event) return;
    reconnect_event event;
    event.what = what;
    event.reason = ec;
    event.attempt = attempt;
    event.not_sent = not_sent;
    event.delay = delay;
    event.ws = ws;
    if (what == reconnect_event::kind::attempt_failed || what == reconnect_event::kind::gave_up)
      event.status = status_;
    ropts_.on_event(event);
  }

  void write_now(outgoing item) {
    item.seq = ++next_seq_;
    auto m = std::move(item.m);
    inflight_.push_back(std::move(item));
    ws_.send(std::move(m),
             asio::bind_executor(strand_, [self = shared_from_this(), gen = generation_,
                                           seq = next_seq_](error_code ec) {
               if (gen != self->generation_) return;  // failed with its websocket already
               if (ec) return self->suspect_loss();
               self->written_upto_ = seq;
               self->confirm_written();
             }));
  }

  // One ping at a time; its pong confirms every message written before it.
  void confirm_written() {
    if (confirming_ || !connected_ || inflight_.empty() || written_upto_ < inflight_.front().seq)
      return;
    confirming_ = true;
    auto upto = written_upto_;
    ws_.ping(std::to_string(upto),
             asio::bind_executor(
                 strand_, [self = shared_from_this(), gen = generation_, upto](error_code ec) {
                   if (gen != self->generation_) return;
                   self->confirming_ = false;
                   if (ec) return self->suspect_loss();
                   self->confirm_upto(upto);
                   self->confirm_written();
                 }));
  }

  void confirm_upto(std::uint64_t seq) {
    while (!inflight_.empty() && inflight_.front().seq <= seq) {
      complete_later(strand_, std::move(inflight_.front().handler), error_code{});
      inflight_.pop_front();
    }
    maybe_start_close();
  }

  // A send or ping failed: let the receive loop look at the websocket again now.
  void suspect_loss() {
    loss_suspected_ = true;
    inbox_wait_.cancel();
  }

  std::size_t fail_inflight() {
    std::size_t n = inflight_.size();
    for (auto& item : inflight_)
      complete_later(strand_, std::move(item.handler), error::message_not_sent);
    inflight_.clear();
    confirming_ = false;
    written_upto_ = next_seq_;
    start_close();  // nothing left to wait for (and no websocket to close: completes)
    return n;
  }

  void arm_queue_timer() {
    if (queued_.empty() || ropts_.max_queue_time.count() <= 0) return;
    queue_timer_.expires_at(queued_.front().queued_at + ropts_.max_queue_time);
    queue_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->expire_queued();
    });
  }

  void expire_queued() {
    auto now = std::chrono::steady_clock::now();
    while (!queued_.empty() && now - queued_.front().queued_at >= ropts_.max_queue_time) {
      queued_bytes_ -= queued_.front().m.size();
      complete_later(strand_, std::move(queued_.front().handler), error::timeout);
      queued_.pop_front();
    }
    arm_queue_timer();
  }

  void deliver() {
    if (!receive_handler_) return;
    if (!inbox_.empty()) {
      auto m = std::move(inbox_.front());
      inbox_.pop_front();
      inbox_wait_.cancel();
      complete_later(strand_, take_handler(receive_handler_), error_code{}, std::move(m));
    } else if (ended_) {
      complete_later(strand_, take_handler(receive_handler_),
                     end_reason_ ? end_reason_ : make_error_code(error::closed), message{});
    }
  }

  void end(error_code reason) {
    if (ended_) return;
    ended_ = true;
    end_reason_ = reason;
    backoff_timer_.cancel();
    queue_timer_.cancel();
    fail_inflight();
    for (auto& item : queued_)
      complete_later(strand_, std::move(item.handler), error::message_not_sent);
    queued_.clear();
    queued_bytes_ = 0;
    deliver();
    if (run_handler_) complete_later(strand_, take_handler(run_handler_), reason);
  }

  asio::any_io_executor ex_;
  strand_type strand_;
  std::string url_;
  websocket_request request_;
  options opts_;
  reconnect_options ropts_;
  asio::steady_timer backoff_timer_;
  asio::steady_timer inbox_wait_;
  asio::steady_timer queue_timer_;
  asio::steady_timer close_wait_;
  std::mt19937_64 random_;
  std::shared_ptr<pending_close> pending_close_;

  websocket ws_;
  std::size_t generation_ = 0;
  bool run_started_ = false;
  bool connected_ = false;
  bool resubscribing_ = false;
  bool stopping_ = false;   // close() was called, or the handle is gone
  bool abandoned_ = false;  // the handle is gone
  bool ended_ = false;
  bool loss_suspected_ = false;
  bool confirming_ = false;
  error_code end_reason_;
  std::size_t last_not_sent_ = 0;
  send_handler run_handler_;

  std::deque<outgoing> queued_;  // waiting for a websocket
  std::size_t queued_bytes_ = 0;
  std::deque<outgoing> inflight_;  // given to the websocket, not yet confirmed
  std::uint64_t next_seq_ = 0;
  std::uint64_t written_upto_ = 0;

  std::deque<message> inbox_;
  receive_handler receive_handler_;

  // Readable from any thread.
  std::atomic<bool> connected_flag_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::uint16_t> peer_code_{1006};
  mutable std::mutex reason_mutex_;
  std::string peer_reason_;
  unsigned status_ = 0;  // of the last attempt's answer
};

}  // namespace h2ws::detail

namespace h2ws {

namespace asio = boost::asio;

reconnecting_websocket::reconnecting_websocket(executor_type ex, std::string url,
                                               websocket_request request, options opts,
                                               reconnect_options ropts)
    : impl_(std::make_shared<detail::reconnecting_impl>(
          std::move(ex), std::move(url), std::move(request), std::move(opts), std::move(ropts))) {}

namespace {
websocket_request path_of_url() {
  websocket_request request;
  request.path.clear();  // h2ws::connect then takes the URL's path
  return request;
}
}  // namespace

reconnecting_websocket::reconnecting_websocket(executor_type ex, std::string url, options opts,
                                               reconnect_options ropts)
    : reconnecting_websocket(std::move(ex), std::move(url), path_of_url(), std::move(opts),
                             std::move(ropts)) {}

reconnecting_websocket::~reconnecting_websocket() {
  if (impl_) asio::dispatch(impl_->strand(), [impl = impl_] { impl->abandon(); });
}

reconnecting_websocket& reconnecting_websocket::operator=(reconnecting_websocket&& other) noexcept {
  if (this != &other) {
    if (impl_) asio::dispatch(impl_->strand(), [impl = impl_] { impl->abandon(); });
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void reconnecting_websocket::run_impl(send_handler handler) {
  if (!impl_) return detail::complete_later_unbound(std::move(handler), error::operation_aborted);
  asio::dispatch(impl_->strand(),
                 [impl = impl_, h = std::move(handler)]() mutable { impl->run(std::move(h)); });
}

void reconnecting_websocket::send_impl(message m, send_handler handler) {
  if (!impl_) return detail::complete_later_unbound(std::move(handler), error::operation_aborted);
  // dispatch, not post: a send made inside the `connected` event runs at once, ahead of
  // the messages queued while disconnected.
  asio::dispatch(impl_->strand(),
                 [impl = impl_, m = std::move(m), h = std::move(handler)]() mutable {
                   impl->send(std::move(m), std::move(h));
                 });
}

void reconnecting_websocket::receive_impl(receive_handler handler) {
  if (!impl_)
    return detail::complete_later_unbound(std::move(handler), error::operation_aborted, message{});
  asio::dispatch(impl_->strand(),
                 [impl = impl_, h = std::move(handler)]() mutable { impl->receive(std::move(h)); });
}

void reconnecting_websocket::close_impl(close_code code, std::string reason, send_handler handler) {
  if (!impl_) return detail::complete_later_unbound(std::move(handler), error::operation_aborted);
  asio::dispatch(impl_->strand(), [impl = impl_, code, reason = std::move(reason),
                                   h = std::move(handler)]() mutable {
    impl->close(code, std::move(reason), std::move(h));
  });
}

reconnecting_websocket::executor_type reconnecting_websocket::get_executor() const {
  return impl_ ? executor_type(impl_->strand()) : executor_type{};
}

bool reconnecting_websocket::is_connected() const { return impl_ && impl_->connected(); }

std::size_t reconnecting_websocket::connections() const { return impl_ ? impl_->connections() : 0; }

std::uint16_t reconnecting_websocket::peer_close_code() const {
  return impl_ ? impl_->peer_close_code() : 1006;
}

std::string reconnecting_websocket::peer_close_reason() const {
  return impl_ ? impl_->peer_close_reason() : std::string();
}

}  // namespace h2ws
