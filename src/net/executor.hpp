// The concrete executor types of everything below the public API. A connection runs
// on a strand of an io_context: the per-message path then never copies a type-erased
// any_io_executor (a strand inside one does not fit its small buffer: every copy was a
// heap allocation), and sockets and timers on that strand complete there directly.
#pragma once

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/wait_traits.hpp>

namespace h2ws::net {

using io_executor = boost::asio::io_context::executor_type;
using strand = boost::asio::strand<io_executor>;
using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, strand>;
using timer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>, strand>;

/// A new strand on the io_context behind `ex` (an io_context's executor, or a strand or
/// any other executor of one). Throws std::invalid_argument for an executor of another
/// kind of execution context (a thread_pool, say): h2ws needs an io_context.
strand make_strand(const boost::asio::any_io_executor& ex);

/// Moves an accepted socket onto `s` (same file descriptor, no I/O).
tcp_socket adopt(boost::asio::ip::tcp::socket&& socket, const strand& s);

}  // namespace h2ws::net
