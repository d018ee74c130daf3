// The public connection handle: forwards to connection_impl on its strand.
#include "detail/completion.hpp"
#include "detail/connection_impl.hpp"
#include "detail/owners.hpp"
#include "detail/websocket_impl.hpp"
#include "net/url.hpp"
#include <h2ws/connection.hpp>
#include <h2ws/error.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

namespace h2ws {

namespace asio = boost::asio;

connection::connection(std::shared_ptr<detail::connection_owner> owner)
    : owner_(std::move(owner)) {}

void connection::connect_impl(executor_type ex, std::string url, options opts,
                              connect_handler handler) {
  net::parsed_url parsed;
  auto ec = net::parse_url(url, parsed);
  ws::deflate_params checked;
  if (!ec && opts.compression) ec = detail::deflate_params_of(opts.deflate, checked);
  if (ec) {
    detail::complete_later(ex, std::move(handler), ec, connection{});
    return;
  }
  auto impl = std::make_shared<detail::connection_impl>(ex, h2::role::client, std::move(opts));
  asio::post(impl->strand(), [impl, parsed = std::move(parsed), h = std::move(handler)]() mutable {
    impl->start_client(std::move(parsed), std::move(h));
  });
}

void connection::open_impl(websocket_request request, open_handler handler) {
  if (!owner_) {
    detail::complete_later_unbound(std::move(handler), make_error_code(error::connection_closed),
                                   websocket{});
    return;
  }
  if (request.path.empty()) request.path = owner_->impl->url().target;
  auto impl = owner_->impl;
  asio::post(impl->strand(), [impl, owner = owner_, request = std::move(request),
                              h = std::move(handler)]() mutable {
    impl->open_websocket(std::move(request), std::move(h), std::move(owner));
  });
}

void connection::request_impl(http_request request, request_handler handler) {
  if (!owner_) {
    detail::complete_later_unbound(std::move(handler), make_error_code(error::connection_closed),
                                   http_response{});
    return;
  }
  if (request.path.empty()) request.path = owner_->impl->url().target;
  auto impl = owner_->impl;
  asio::post(impl->strand(),
             [impl, request = std::move(request), h = std::move(handler)]() mutable {
               impl->send_request(std::move(request), std::move(h));
             });
}

void connection::close() {
  if (!owner_) return;
  asio::post(owner_->impl->strand(), [impl = owner_->impl] { impl->release(); });
}

connection::executor_type connection::get_executor() const {
  return owner_ ? executor_type(owner_->impl->strand()) : executor_type{};
}

bool connection::is_open() const { return owner_ && owner_->impl->is_open(); }

bool connection::supports_websockets() const {
  return owner_ && owner_->impl->supports_websockets();
}

std::size_t connection::active_streams() const {
  return owner_ ? owner_->impl->streams_in_use() : 0;
}

std::uint32_t connection::max_concurrent_streams() const {
  return owner_ ? owner_->impl->max_concurrent_streams() : 0;
}

std::string connection::default_path() const {
  return owner_ ? owner_->impl->url().target : std::string("/");
}

std::string connection::authority() const {
  return owner_ ? owner_->impl->url().authority : std::string();
}

}  // namespace h2ws
