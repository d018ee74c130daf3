#include "net/executor.hpp"

#include <stdexcept>
#include <unistd.h>

#include <boost/asio/detail/concurrency_hint.hpp>
#include <boost/asio/prefer.hpp>

namespace h2ws::net {

namespace asio = boost::asio;

namespace {

using tracked_io_executor =
    decltype(asio::prefer(std::declval<io_executor>(), asio::execution::outstanding_work.tracked));

// The io_context an executor runs on, when it is one of the kinds made from one.
asio::io_context* io_context_of(const asio::any_io_executor& ex) {
  if (const auto* e = ex.target<io_executor>()) return &e->context();
  if (const auto* e = ex.target<tracked_io_executor>()) return &e->context();
  if (const auto* e = ex.target<strand>()) return &e->context();
  if (const auto* e = ex.target<asio::strand<io_executor>>())
    return &e->get_inner_executor().context();
  if (const auto* e = ex.target<asio::strand<asio::any_io_executor>>())
    return io_context_of(e->get_inner_executor());
  return nullptr;
}

}  // namespace

strand make_strand(const asio::any_io_executor& ex) {
  auto* io = io_context_of(ex);
  if (!io)
    throw std::invalid_argument(
        "h2ws: the executor must belong to a boost::asio::io_context (or a strand of one)");
  return strand(io->get_executor(), runs_on_one_thread(*io));
}

bool runs_on_one_thread(asio::io_context& ioc) {
  // As Asio decides it for its own scheduler: hint 1, or a special hint without scheduler
  // locking (BOOST_ASIO_CONCURRENCY_HINT_UNSAFE) or without reactor I/O locking
  // (..._UNSAFE_IO: only one thread may run the io_context and use its I/O objects).
  const int hint = asio::use_service<asio::detail::io_context_impl>(ioc).concurrency_hint();
  if (hint == 1) return true;
  return BOOST_ASIO_CONCURRENCY_HINT_IS_SPECIAL(hint) &&
         (!BOOST_ASIO_CONCURRENCY_HINT_IS_LOCKING(SCHEDULER, hint) ||
          !BOOST_ASIO_CONCURRENCY_HINT_IS_LOCKING(REACTOR_IO, hint));
}

namespace {

// Hands `from`'s descriptor to `to` (possibly the same object): released from the reactor,
// then registered afresh. On failure `to` stays closed (and the descriptor with it): the
// caller's first read fails.
template <class From>
void move_descriptor(From& from, tcp_socket& to) {
  boost::system::error_code ec;
  const auto protocol = from.local_endpoint(ec).protocol();
  if (ec) return;  // a socket already dead
  const auto fd = from.release(ec);
  if (ec) return;
  to.assign(protocol, fd, ec);
  if (ec) ::close(fd);
}

}  // namespace

tcp_socket adopt(asio::ip::tcp::socket&& socket, const strand& s) {
  tcp_socket out(s);
  move_descriptor(socket, out);
  return out;
}

void drop_write_interest(tcp_socket& socket) { move_descriptor(socket, socket); }

}  // namespace h2ws::net
