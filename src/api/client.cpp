// h2ws::client: a pool of HTTP/2 connections keyed by origin. The pool's state lives
// on its own strand; connections are only asked (thread-safely) how busy they are.
#include "api/fallback.hpp"
#include "detail/completion.hpp"
#include "detail/log_sink.hpp"
#include "net/proxy_environment.hpp"
#include "net/url.hpp"
#include <h2ws/client.hpp>
#include <h2ws/error.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace h2ws::detail {

namespace asio = boost::asio;
using boost::system::error_code;

class client_pool : public std::enable_shared_from_this<client_pool> {
 public:
  // Held by an open or request in flight, so the connection it was given counts it
  // until the stream exists (and the connection counts it itself).
  using lease = std::shared_ptr<void>;
  using ready_fn = std::function<void(error_code, connection, lease)>;

  client_pool(asio::any_io_executor ex, pool_options popts)
      : ex_(ex), strand_(asio::make_strand(ex)), popts_(popts), sweeper_(strand_) {}

  asio::any_io_executor executor() const { return ex_; }
  std::size_t count() const { return count_.load(); }

  // Calls `ready` on the pool's strand with a connection to `url`'s origin that has
  // room for one more stream, dialing one when none has.
  void acquire(net::parsed_url url, options opts, ready_fn ready) {
    asio::post(strand_, [self = shared_from_this(), url = std::move(url), opts = std::move(opts),
                         ready = std::move(ready)]() mutable {
      self->acquire_here(std::move(url), std::move(opts), std::move(ready));
    });
  }

  void close_all() {
    asio::post(strand_, [self = shared_from_this()] {
      for (auto& [key, entries] : self->origins_)
        for (auto& e : entries)
          if (!e->connecting) e->conn.close();
      self->origins_.clear();
      self->count_ = 0;
      self->sweeper_.cancel();
    });
  }

 private:
  // RFC 9113 section 6.5.2 asks servers for at least 100: assumed until SETTINGS arrive.
  static constexpr std::size_t assumed_streams = 100;

  struct entry {
    connection conn;  // empty while connecting
    bool connecting = true;
    std::size_t pending = 0;  // leases out
    std::vector<ready_fn> waiters;
    bool idle = false;
    std::chrono::steady_clock::time_point idle_since;
  };

  static std::string key_of(const net::parsed_url& url, const options& opts) {
    // The TLS identity too: a connection made with one client certificate (or TLS context)
    // must not serve a websocket asked for with another.
    const auto context = reinterpret_cast<std::uintptr_t>(opts.ssl_context.get());
    return origin_of(url) + '\n' + opts.ca_file + '\n' + (opts.insecure ? "i" : "v") +
           (opts.compression ? "z" : "-") + '\n' + net::proxy_for(opts, url) + '\n' +
           opts.cert_file + '\n' + opts.key_file + '\n' + std::to_string(context);
  }

  static bool has_room(const entry& e) {
    if (e.connecting) return e.pending < assumed_streams;
    return e.conn.is_open() &&
           e.conn.active_streams() + e.pending < e.conn.max_concurrent_streams();
  }

  lease make_lease(const std::shared_ptr<entry>& e) {
    ++e->pending;
    return lease(nullptr, [weak = weak_from_this(), e](void*) {
      if (auto self = weak.lock()) asio::post(self->strand_, [e] { --e->pending; });
    });
  }

  void acquire_here(net::parsed_url url, options opts, ready_fn ready) {
    fold_log_into_trace(opts);
    auto& entries = origins_[key_of(url, opts)];
    // Lost and GOAWAY'd connections take no new streams; their websockets keep them alive.
    std::erase_if(entries, [](auto& e) { return !e->connecting && !e->conn.is_open(); });
    for (auto& e : entries) {
      if (!has_room(*e)) continue;
      e->idle = false;
      if (e->connecting) {
        ++e->pending;  // becomes the waiter's lease in dialed()
        e->waiters.push_back(std::move(ready));
      } else {
        ready({}, e->conn, make_lease(e));
      }
      return count_entries();
    }
    auto e = std::make_shared<entry>();
    entries.push_back(e);
    ++e->pending;
    e->waiters.push_back(std::move(ready));
    count_entries();
    arm_sweeper();
    if (opts.trace)
      opts.trace("* pool: new connection to " + origin_of(url) + " (" +
                 std::to_string(entries.size()) + " for this origin)");
    auto text = (url.tls ? "https://" : "http://") + url.authority + url.target;
    auto conn_opts = opts;
    connection::connect(ex_, text, std::move(conn_opts),
                        asio::bind_executor(strand_, [self = shared_from_this(), e, url, opts](
                                                         error_code ec, connection conn) mutable {
                          self->dialed(e, ec, std::move(conn), std::move(url), std::move(opts));
                        }));
  }

  void dialed(std::shared_ptr<entry> e, error_code ec, connection conn, net::parsed_url url,
              options opts) {
    auto waiters = std::move(e->waiters);
    e->waiters.clear();
    e->connecting = false;
    e->conn = std::move(conn);
    if (ec) {
      for (auto& entries : origins_) std::erase(entries.second, e);
      count_entries();
      e->pending = 0;
      for (auto& ready : waiters) ready(ec, connection{}, nullptr);
      return;
    }
    // Waiters beyond what the server allows go through the pool again (a new connection).
    std::size_t room = e->conn.max_concurrent_streams();
    for (auto& ready : waiters) {
      --e->pending;  // the lease taken when it started waiting becomes a real one
      if (room > 0) {
        --room;
        ready({}, e->conn, make_lease(e));
      } else {
        acquire_here(url, opts, std::move(ready));
      }
    }
  }

  void count_entries() {
    std::size_t n = 0;
    for (auto& [key, entries] : origins_) n += entries.size();
    count_ = n;
  }

  void arm_sweeper() {
    if (sweeping_ || popts_.idle_timeout.count() <= 0) return;
    sweeping_ = true;
    auto period = std::clamp<duration>(popts_.idle_timeout / 4, std::chrono::milliseconds(10),
                                       std::chrono::seconds(1));
    sweeper_.expires_after(period);
    sweeper_.async_wait([self = shared_from_this()](error_code ec) {
      self->sweeping_ = false;
      if (!ec) self->sweep();
    });
  }

  // Closes connections that carried nothing for idle_timeout; forgets dead ones.
  void sweep() {
    auto now = std::chrono::steady_clock::now();
    for (auto& [key, entries] : origins_) {
      std::erase_if(entries, [&](auto& e) {
        if (e->connecting) return false;
        if (!e->conn.is_open()) return true;
        if (e->pending > 0 || e->conn.active_streams() > 0) {
          e->idle = false;
          return false;
        }
        if (!e->idle) {
          e->idle = true;
          e->idle_since = now;
          return false;
        }
        if (now - e->idle_since < popts_.idle_timeout) return false;
        e->conn.close();
        return true;
      });
    }
    std::erase_if(origins_, [](auto& kv) { return kv.second.empty(); });
    count_entries();
    if (count_ > 0) arm_sweeper();
  }

  asio::any_io_executor ex_;
  asio::strand<asio::any_io_executor> strand_;
  pool_options popts_;
  asio::steady_timer sweeper_;
  bool sweeping_ = false;
  std::unordered_map<std::string, std::vector<std::shared_ptr<entry>>> origins_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace h2ws::detail

namespace h2ws {

using boost::system::error_code;

client::client(executor_type ex, pool_options pool)
    : pool_(std::make_shared<detail::client_pool>(std::move(ex), pool)) {}

client::~client() {
  if (pool_) pool_->close_all();
}

client& client::operator=(client&& other) noexcept {
  if (this != &other) {
    if (pool_) pool_->close_all();
    pool_ = std::move(other.pool_);
  }
  return *this;
}

void client::close() {
  if (pool_) pool_->close_all();
}

std::size_t client::connection_count() const { return pool_ ? pool_->count() : 0; }

client::executor_type client::get_executor() const {
  return pool_ ? pool_->executor() : executor_type{};
}

namespace {

// Parses `url`, and gives an empty `path` the URL's own target.
error_code parse_target(const std::string& url, net::parsed_url& parsed, std::string& path) {
  if (auto ec = net::parse_url(url, parsed)) return ec;
  if (path.empty()) path = parsed.target;
  return {};
}

}  // namespace

void client::open_impl(std::string url, websocket_request request, options opts,
                       open_handler handler) {
  if (!pool_)  // moved from
    return detail::complete_later_unbound(std::move(handler), error::operation_aborted,
                                          websocket{});
  auto ex = pool_->executor();
  net::parsed_url parsed;
  if (auto ec = parse_target(url, parsed, request.path))
    return detail::complete_later(ex, std::move(handler), ec, websocket{});
  if (detail::skip_http2(parsed, opts))
    return detail::open_over_http1(ex, std::move(parsed), std::move(request), std::move(opts),
                                   std::move(handler));
  auto shared = std::make_shared<open_handler>(std::move(handler));
  auto fallback = [ex, parsed, request, opts, shared] {
    detail::open_over_http1(ex, parsed, request, opts, std::move(*shared));
  };
  pool_->acquire(parsed, opts,
                 [ex, request, opts, shared, fallback](error_code ec, connection conn,
                                                       detail::client_pool::lease lease) mutable {
                   if (ec) {
                     if (opts.fallback && detail::connect_failure_means_no_http2(ec))
                       return fallback();
                     return detail::complete_later(ex, std::move(*shared), ec, websocket{});
                   }
                   conn.open_websocket(request, [ex, opts, shared, fallback, lease](
                                                    error_code ec, websocket ws) mutable {
                     lease.reset();
                     if (ec && opts.fallback && detail::open_failure_means_no_rfc8441(ec, ws))
                       return fallback();
                     detail::complete_later(ex, std::move(*shared), ec, std::move(ws));
                   });
                 });
}

void client::request_impl(std::string url, http_request req, options opts,
                          request_handler handler) {
  if (!pool_)  // moved from
    return detail::complete_later_unbound(std::move(handler), error::operation_aborted,
                                          http_response{});
  auto ex = pool_->executor();
  net::parsed_url parsed;
  if (auto ec = parse_target(url, parsed, req.path))
    return detail::complete_later(ex, std::move(handler), ec, http_response{});
  auto shared = std::make_shared<request_handler>(std::move(handler));
  pool_->acquire(std::move(parsed), std::move(opts),
                 [ex, req = std::move(req), shared](error_code ec, connection conn,
                                                    detail::client_pool::lease lease) mutable {
                   if (ec)
                     return detail::complete_later(ex, std::move(*shared), ec, http_response{});
                   conn.request(
                       req, [ex, shared, lease](error_code ec, http_response response) mutable {
                         lease.reset();
                         detail::complete_later(ex, std::move(*shared), ec, std::move(response));
                       });
                 });
}

}  // namespace h2ws
