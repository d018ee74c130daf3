// The concrete executor types of everything below the public API. A connection runs on a
// `net::strand` of an io_context: the per-message path then never copies a type-erased
// any_io_executor, and sockets and timers on it complete there directly.
#pragma once

#include <h2ws/handler_allocator.hpp>

#include <chrono>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/execution/allocator.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/wait_traits.hpp>

namespace h2ws::net {

using io_executor = boost::asio::io_context::executor_type;

/// Serializes one connection's handlers. On an io_context that one thread runs (made with
/// concurrency hint 1, or one of Asio's unsafe hints) its handlers cannot overlap anyway:
/// it is that io_context's executor, with none of a strand's mutex, queue or reference
/// counts. On any other io_context it is an asio::strand of it.
class serial_executor {
 public:
  /// A new serial executor on `io`'s context; `one_thread` picks the plain form.
  serial_executor(const io_executor& io, bool one_thread) : has_strand_(!one_thread) {
    if (has_strand_)
      ::new (&strand_) strand_ptr(std::make_shared<strand_type>(io));
    else
      ::new (&io_) io_executor(io);
  }

  serial_executor(const serial_executor& other) noexcept { copy_from(other); }
  serial_executor& operator=(const serial_executor& other) noexcept {
    if (this != &other) {
      destroy();
      copy_from(other);
    }
    return *this;
  }
  ~serial_executor() { destroy(); }

  template <class F>
  void execute(F&& f) const {
    // Operation memory from handler_memory when the caller asked for it (post_recycled()):
    // Asio's per-thread cache holds two blocks, and a post beyond those would be a malloc.
    const handler_allocator<void> recycled;
    namespace execution = boost::asio::execution;
    if (has_strand_) {
      if (recycled_)
        execute_on(boost::asio::prefer(*strand_, execution::allocator(recycled)),
                   std::forward<F>(f));
      else
        execute_on(*strand_, std::forward<F>(f));
    } else {
      if (recycled_)
        execute_on(boost::asio::require(io_, execution::allocator(recycled)), std::forward<F>(f));
      else
        execute_on(io_, std::forward<F>(f));
    }
  }

  boost::asio::io_context& query(boost::asio::execution::context_t) const noexcept {
    return context();
  }
  boost::asio::execution::blocking_t query(boost::asio::execution::blocking_t) const noexcept {
    if (never_) return boost::asio::execution::blocking.never;
    return boost::asio::execution::blocking.possibly;
  }
  serial_executor require(boost::asio::execution::blocking_t::never_t) const {
    auto copy = *this;
    copy.never_ = true;
    return copy;
  }
  serial_executor require(boost::asio::execution::blocking_t::possibly_t) const {
    auto copy = *this;
    copy.never_ = false;
    return copy;
  }

  /// Operation memory: from handler_memory for handler_allocator, else Asio's default.
  template <class Allocator>
  serial_executor require(boost::asio::execution::allocator_t<Allocator> a) const {
    auto copy = *this;
    if constexpr (std::is_same_v<Allocator, void>)
      copy.recycled_ = false;
    else
      copy.recycled_ = is_handler_allocator<Allocator>(a.value());
    return copy;
  }

  boost::asio::io_context& context() const noexcept { return get_inner_executor().context(); }
  io_executor get_inner_executor() const noexcept {
    return has_strand_ ? strand_->get_inner_executor() : io_;
  }
  /// Whether this thread is running one of its handlers now (for the plain form: is inside
  /// its io_context's run()).
  bool running_in_this_thread() const noexcept {
    return has_strand_ ? strand_->running_in_this_thread() : io_.running_in_this_thread();
  }
  /// Whether it is the plain form (its io_context promised one thread).
  bool one_thread() const noexcept { return !has_strand_; }

  friend bool operator==(const serial_executor& a, const serial_executor& b) noexcept {
    if (a.has_strand_ != b.has_strand_) return false;
    return a.has_strand_ ? *a.strand_ == *b.strand_ : a.io_ == b.io_;
  }
  friend bool operator!=(const serial_executor& a, const serial_executor& b) noexcept {
    return !(a == b);
  }

 private:
  template <class Allocator>
  static constexpr bool is_handler_allocator(const Allocator&) {
    return std::is_same_v<typename std::allocator_traits<Allocator>::template rebind_alloc<void>,
                          handler_allocator<void>>;
  }

  template <class Executor, class F>
  void execute_on(const Executor& ex, F&& f) const {
    if (never_)
      boost::asio::require(ex, boost::asio::execution::blocking.never).execute(std::forward<F>(f));
    else
      ex.execute(std::forward<F>(f));
  }

  void copy_from(const serial_executor& other) noexcept {
    has_strand_ = other.has_strand_;
    never_ = other.never_;
    recycled_ = other.recycled_;
    if (has_strand_)
      ::new (&strand_) strand_ptr(other.strand_);
    else
      ::new (&io_) io_executor(other.io_);
  }
  void destroy() noexcept {
    if (has_strand_) strand_.~strand_ptr();
  }

  using strand_type = boost::asio::strand<io_executor>;
  using strand_ptr = std::shared_ptr<const strand_type>;
  // One or the other, and the strand behind a pointer: 24 bytes in all, which fits
  // any_io_executor's inline storage (a copy into one allocates nothing) and keeps the
  // operations that hold copies within handler_memory's blocks.
  union {
    io_executor io_;
    strand_ptr strand_;
  };
  bool has_strand_;
  bool never_ = false;
  bool recycled_ = false;
};

static_assert(sizeof(serial_executor) <= 24, "must fit any_io_executor's inline storage");

using strand = serial_executor;
using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, strand>;
using timer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>, strand>;

/// Whether `ioc` was made with a concurrency hint that promises one thread (1, or one of
/// Asio's hints that turn the scheduler's locking off).
bool runs_on_one_thread(boost::asio::io_context& ioc);

/// A new serial executor on the io_context behind `ex` (an io_context's executor, a
/// strand or serial executor of one, or any other executor of one). Throws
/// std::invalid_argument for an executor of another kind of execution context (a
/// thread_pool, say): h2ws needs an io_context.
strand make_strand(const boost::asio::any_io_executor& ex);

/// Moves an accepted socket onto `s` (same file descriptor, no I/O).
tcp_socket adopt(boost::asio::ip::tcp::socket&& socket, const strand& s);

/// After a connect: registers the socket's descriptor with the reactor afresh, for reads
/// only. Asio keeps a descriptor's write interest once a connect (a write-side operation)
/// asked for it, and with edge-triggered epoll every ACK that frees send-buffer space then
/// wakes the thread for nothing (about one extra reactor turn per five 64-byte echoes).
/// A write that blocks later asks for it again. On failure the socket ends up closed.
void drop_write_interest(tcp_socket& socket);

}  // namespace h2ws::net
