// Reads one HTTP/1.1 request (head and body) with Beast's parser, incrementally: the
// server side of the Upgrade path and of plain HTTP/1.1 requests. No I/O.
#pragma once

#include <h2ws/options.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <boost/system/error_code.hpp>

namespace h2ws::http1 {

struct request {
  std::string method;
  std::string target;
  unsigned version = 11;  // 10 or 11
  header_list headers;    // lowercased names, values as sent
  std::string body;
  bool keep_alive = true;
  bool upgrade = false;  // Connection: upgrade (Beast's reading)
};

class request_reader {
 public:
  /// `max_head` bytes of request line and fields, `max_body` bytes of body.
  request_reader(std::size_t max_head, std::size_t max_body);
  ~request_reader();
  /// Feeds bytes; returns how many belong to the request (the rest follow it). Sets `ec`
  /// (Beast's error) on a malformed or oversized request; failure_status() then tells the
  /// answer.
  std::size_t put(std::span<const std::uint8_t> bytes, boost::system::error_code& ec);
  bool done() const;
  /// 431 past `max_head`, 413 past `max_body`, 400 for anything else malformed.
  unsigned failure_status() const { return failure_status_; }
  /// The request, once done(); moves it out.
  request take();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  unsigned failure_status_ = 0;
};

}  // namespace h2ws::http1
