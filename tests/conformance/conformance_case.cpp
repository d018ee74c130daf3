#include "conformance_case.hpp"

#include "scripted_server.hpp"
#include "ws/reader.hpp"
#include "ws/writer.hpp"

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace h2ws::conformance {

namespace asio = boost::asio;
using boost::system::error_code;

std::string frame(ws::opcode op, std::string_view payload, bool fin, std::uint8_t rsv) {
  std::vector<std::uint8_t> out;
  ws::write_frame(out, op, fin,
                  {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()},
                  std::nullopt);
  out[0] = static_cast<std::uint8_t>(out[0] | (rsv & 0x7) << 4);
  return {out.begin(), out.end()};
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xff);
  payload += reason;
  return frame(ws::opcode::close, payload);
}

std::string raw_frame(std::uint8_t first_byte, std::string_view payload) {
  std::string out = frame(ws::opcode::binary, payload);
  out[0] = static_cast<char>(first_byte);
  return out;
}

std::string frame_header(std::uint8_t first_byte, std::uint64_t length) {
  std::string h(1, static_cast<char>(first_byte));
  if (length <= 125) {
    h += static_cast<char>(length);
  } else if (length <= 0xffff) {
    h += static_cast<char>(126);
    h += static_cast<char>(length >> 8);
    h += static_cast<char>(length & 0xff);
  } else {
    h += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) h += static_cast<char>((length >> shift) & 0xff);
  }
  return h;
}

std::string fragmented(ws::opcode op, const std::string& payload, std::size_t fragment) {
  if (fragment == 0 || fragment >= payload.size()) return frame(op, payload);
  std::string out;
  out.reserve(payload.size() + (payload.size() / fragment + 1) * 10);
  for (std::size_t at = 0; at < payload.size(); at += fragment) {
    const bool last = at + fragment >= payload.size();
    out += frame(at == 0 ? op : ws::opcode::continuation,
                 std::string_view(payload).substr(at, fragment), last);
  }
  return out;
}

std::vector<std::string> chunks_of(std::string bytes, std::size_t chunk) {
  if (chunk == 0 || chunk >= bytes.size()) return {std::move(bytes)};
  std::vector<std::string> out;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) out.push_back(bytes.substr(at, chunk));
  return out;
}

std::vector<std::string> octets(const std::string& bytes) {
  std::vector<std::string> out;
  for (char b : bytes) out.emplace_back(1, b);
  return out;
}

case_spec delivered(std::string id, std::string title, std::vector<std::string> chunks,
                    std::vector<message> messages, std::vector<std::string> pongs) {
  case_spec c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.chunks = std::move(chunks);
  c.chunks.push_back(close_frame(1000));
  c.expect_messages = std::move(messages);
  c.expect_pongs = std::move(pongs);
  c.expect_receive_error = make_error_code(error::closed);
  c.expect_close_code = 1000;
  c.expect_peer_close_code = 1000;
  return c;
}

case_spec violation(std::string id, std::string title, std::vector<std::string> chunks, error e,
                    std::uint16_t close_code, std::vector<message> messages,
                    std::vector<std::string> pongs) {
  case_spec c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.chunks = std::move(chunks);
  c.expect_messages = std::move(messages);
  c.expect_pongs = std::move(pongs);
  c.expect_receive_error = make_error_code(e);
  c.expect_close_code = close_code;
  return c;
}

case_spec failed_open(std::string id, std::string title, detail::scripted_answer answer, error e,
                      options client) {
  case_spec c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.answer = std::move(answer);
  c.client = std::move(client);
  c.expect_open_error = make_error_code(e);
  return c;
}

namespace {

// The server's side of a case: write the chunks, end as told, read the client.
asio::awaitable<void> serve_case(const case_spec& spec, websocket ws,
                                 test::raw_stream_controls controls, server& srv, case_outcome& out,
                                 bool& done) {
  auto ex = co_await asio::this_coro::executor;
  for (const auto& chunk : spec.chunks) {
    // A client that failed the websocket on an earlier chunk has ended the stream, and the rest
    // can no longer be written: stop writing, go on to read what it sent.
    auto [send_ec] = co_await ws.send(message::binary(chunk), asio::as_tuple(asio::use_awaitable));
    if (send_ec) break;
    asio::steady_timer pause(ex, std::chrono::milliseconds(1));
    co_await pause.async_wait(asio::use_awaitable);
  }
  switch (spec.ending) {
    case server_ending::end_stream:
      controls.end_stream();
      break;
    case server_ending::reset:
      controls.reset(spec.reset_code);
      break;
    case server_ending::drop_connection:
      srv.abort_connections();
      break;
    case server_ending::wait_for_client_close:
      break;
  }
  // Read what the client sends: pongs and its close frame, all masked.
  ws::reader reader(ws::role::server);
  bool echoed_close = false;
  for (;;) {
    auto [ec, chunk] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    reader.feed({reinterpret_cast<const std::uint8_t*>(chunk.text().data()), chunk.size()});
    while (auto ev = reader.next()) {
      if (auto* pong = std::get_if<ws::pong_event>(&*ev)) out.pongs.push_back(pong->payload);
      if (auto* close = std::get_if<ws::close_event>(&*ev)) {
        out.close_code_on_wire = close->code;
        if (spec.ending == server_ending::wait_for_client_close && !echoed_close) {
          echoed_close = true;
          std::vector<std::uint8_t> reply;
          ws::write_close_frame(reply, close->code, "", std::nullopt);
          co_await ws.send(message::binary(std::string(reply.begin(), reply.end())),
                           asio::as_tuple(asio::use_awaitable));
          controls.end_stream();
        }
      }
    }
    if (reader.error()) {
      out.client_frames_valid = false;
      if (reader.error() == error::unmasked_frame) out.client_frames_masked = false;
      break;
    }
  }
  done = true;
}

asio::awaitable<void> run_client(const case_spec& spec, std::string url, case_outcome& out,
                                 bool& done) {
  auto ex = co_await asio::this_coro::executor;
  auto [cec, conn] =
      co_await connection::connect(ex, url, spec.client, asio::as_tuple(asio::use_awaitable));
  if (cec) {
    out.open_error = cec;
    done = true;
    co_return;
  }
  auto [oec, ws] = co_await conn.open_websocket("/echo", asio::as_tuple(asio::use_awaitable));
  if (oec) {
    out.open_error = oec;
    done = true;
    co_return;
  }
  for (const auto& m : spec.client_sends) co_await ws.send(m, asio::as_tuple(asio::use_awaitable));
  for (int i = 0; i < 100'000; ++i) {
    auto [ec, m] = co_await ws.receive(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      out.receive_error = ec;
      break;
    }
    out.messages.push_back(std::move(m));
  }
  out.peer_close_code = ws.peer_close_code();
  // Give the close handshake (and its timeout) a moment to play out on the wire.
  asio::steady_timer settle(ex, std::chrono::milliseconds(20));
  co_await settle.async_wait(asio::as_tuple(asio::use_awaitable));
  done = true;
}

}  // namespace

case_outcome run_case(const case_spec& spec) {
  case_outcome out;
  asio::io_context ctx;
  bool server_done = false;
  bool client_done = false;
  std::unique_ptr<server> srv;
  srv = test::make_scripted_server(
      ctx.get_executor(), {}, [&](const handshake_request&) { return spec.answer; },
      [&](websocket ws, test::raw_stream_controls controls) {
        asio::co_spawn(ctx,
                       serve_case(spec, std::move(ws), std::move(controls), *srv, out, server_done),
                       asio::detached);
      });
  if (auto ec = srv->listen("127.0.0.1", 0)) {
    out.open_error = ec;
    return out;
  }
  auto url = "ws://127.0.0.1:" + std::to_string(srv->port()) + "/echo";
  auto start = std::chrono::steady_clock::now();
  asio::co_spawn(ctx, run_client(spec, url, out, client_done), asio::detached);
  auto deadline = start + std::chrono::seconds(10);
  // A case without an open websocket has no server side to wait for.
  while (!(client_done && (server_done || out.open_error)) &&
         std::chrono::steady_clock::now() < deadline)
    ctx.run_one_for(std::chrono::milliseconds(20));
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  srv->stop();
  ctx.run_for(std::chrono::milliseconds(20));
  srv.reset();
  return out;
}

}  // namespace h2ws::conformance
