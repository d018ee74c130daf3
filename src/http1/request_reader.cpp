#include "http1/request_reader.hpp"

#include <cctype>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace h2ws::http1 {

namespace http = boost::beast::http;
using boost::system::error_code;

struct request_reader::impl {
  http::request_parser<http::string_body> parser;
  std::string pending;  // bytes offered to the parser but not yet consumed
  std::size_t max_head = 0;
};

request_reader::request_reader(std::size_t max_head, std::size_t max_body)
    : impl_(std::make_unique<impl>()) {
  impl_->max_head = max_head;
  impl_->parser.header_limit(static_cast<std::uint32_t>(max_head));
  impl_->parser.body_limit(max_body);
  impl_->parser.eager(true);
}

request_reader::~request_reader() = default;

std::size_t request_reader::put(std::span<const std::uint8_t> bytes, error_code& ec) {
  // Beast takes a head only whole: keep what it has not taken and offer it again with
  // the next bytes. Until the request ends, every byte seen belongs to it.
  auto& pending = impl_->pending;
  pending.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  while (!pending.empty() && !impl_->parser.is_done()) {
    auto n = impl_->parser.put(boost::asio::const_buffer(pending.data(), pending.size()), ec);
    pending.erase(0, n);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) {
      failure_status_ = ec == http::error::header_limit ? 431
                        : ec == http::error::body_limit ? 413
                                                        : 400;
      return 0;
    }
    if (n == 0) break;
  }
  if (!impl_->parser.is_done()) {
    if (!impl_->parser.is_header_done() && pending.size() > impl_->max_head) {
      ec = make_error_code(http::error::header_limit);
      failure_status_ = 431;
    }
    return bytes.size();
  }
  // What is left over came with this call, after the request.
  const auto leftover = pending.size();
  pending.clear();
  return bytes.size() - leftover;
}

bool request_reader::done() const { return impl_->parser.is_done(); }

request request_reader::take() {
  request r;
  r.upgrade = impl_->parser.upgrade();
  auto message = impl_->parser.release();
  r.method = std::string(message.method_string());
  r.target = std::string(message.target());
  r.version = message.version();
  r.keep_alive = message.keep_alive();
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(message.body());
  return r;
}

}  // namespace h2ws::http1
