// The I/O-free websocket session driven as a state machine: events in, actions out, no
// Asio. Two sessions (client and server) are wired back to back through their output,
// or one session is fed frames written by the test's own encoder.
#include "codec_test_support.hpp"
#include "ws/mask_generator.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/session.hpp"
#include <h2ws/error.hpp>

#include <gtest/gtest.h>

namespace h2ws::ws {
namespace {

using test::bytes;
using test::client_frame;
using test::server_frame;
using namespace std::chrono_literals;

session_config config_for(role r) {
  session_config c;
  c.local_role = r;
  c.close_timeout = 5s;
  return c;
}

std::vector<std::uint8_t> drain(session& s) {
  std::vector<std::uint8_t> out(s.output_size());
  s.take_output(out.data(), out.size());
  return out;
}

// Everything `s` wrote, parsed as its peer would.
std::vector<event> frames_of(session& s, role writer_role) {
  auto wire = drain(s);
  reader r(writer_role == role::client ? role::server : role::client);
  r.allow_compressed();
  r.feed(wire);
  std::vector<event> events;
  while (auto e = r.next()) events.push_back(std::move(*e));
  EXPECT_FALSE(r.error()) << r.error().message();
  return events;
}

bytes close_frame_from_client(std::uint16_t code, std::string_view reason = "") {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  payload += reason;
  return client_frame(opcode::close, payload);
}

bytes close_frame_from_server(std::uint16_t code) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return server_frame(opcode::close, payload);
}

struct pair_fixture : ::testing::Test {
  mask_generator masks;
  session client{config_for(role::client), &masks};
  session server{config_for(role::server), nullptr};

  // Moves every queued byte from `from` to `to`.
  static void pipe(session& from, session& to) {
    auto wire = drain(from);
    if (!wire.empty()) to.on_bytes(wire);
  }
};

TEST_F(pair_fixture, verifies_that_a_message_crosses_and_its_send_completes_when_taken) {
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::text("hello"), done_at));
  auto a = client.take_actions();
  EXPECT_TRUE(a.output);
  EXPECT_EQ(done_at, client.output_size());  // 2 + 4 (mask) + 5
  EXPECT_EQ(done_at, 11u);
  EXPECT_LT(client.bytes_taken(), done_at);
  pipe(client, server);
  EXPECT_EQ(client.bytes_taken(), done_at);
  auto s = server.take_actions();
  EXPECT_TRUE(s.deliver);
  EXPECT_EQ(s.consume, 0u);  // not given back while the message is unread
  ASSERT_TRUE(server.has_message());
  EXPECT_EQ(server.take_message(), message::text("hello"));
  EXPECT_EQ(server.take_actions().consume, 11u);  // taken: the window comes back
}

TEST_F(pair_fixture, verifies_that_our_close_completes_when_the_peer_answers) {
  auto now = client.close(1000, "bye");
  EXPECT_FALSE(now);  // pending until the peer's close
  EXPECT_EQ(client.state(), close_state::close_sent);
  auto a = client.take_actions();
  EXPECT_EQ(a.timer, actions::timer_change::arm);
  EXPECT_EQ(a.timer_after, 5s);
  EXPECT_EQ(client.timer(), timer_purpose::close_handshake);
  std::uint64_t done_at = 0;
  EXPECT_EQ(client.send(message::text("late"), done_at), error::send_after_close);

  pipe(client, server);
  // Nothing was unread: the answer goes at once.
  EXPECT_EQ(server.state(), close_state::closed);
  EXPECT_EQ(server.peer_close_code(), 1000);
  EXPECT_EQ(server.peer_close_reason(), "bye");
  EXPECT_TRUE(server.output_ends());

  pipe(server, client);
  EXPECT_EQ(client.state(), close_state::closed);
  auto c = client.take_actions();
  EXPECT_TRUE(c.close_completed);
  EXPECT_FALSE(c.close_result);
  EXPECT_EQ(c.timer, actions::timer_change::cancel);
  EXPECT_TRUE(client.output_ends());
  EXPECT_EQ(client.error(), error::closed);

  // RST_STREAM CANCEL after the close frames is a normal end.
  client.on_stream_closed(stream_cancel);
  auto f = client.take_actions();
  EXPECT_TRUE(f.finished);
  EXPECT_EQ(client.error(), error::closed);
  EXPECT_EQ(client.reset_code(), stream_cancel);
  EXPECT_EQ(client.state(), close_state::finished);
}

TEST_F(pair_fixture, verifies_that_their_close_is_answered_only_after_earlier_messages_are_read) {
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::text("last words"), done_at));
  ASSERT_FALSE(client.close(4000, "done"));
  pipe(client, server);
  EXPECT_EQ(server.state(), close_state::close_received);
  auto a = server.take_actions();
  EXPECT_EQ(a.timer, actions::timer_change::arm);
  EXPECT_EQ(server.timer(), timer_purpose::close_reply);
  EXPECT_EQ(server.output_size(), 0u);  // no answer yet: a message is unread

  EXPECT_EQ(server.take_message(), message::text("last words"));
  // The echo goes out ahead of the close answer.
  ASSERT_FALSE(server.send(message::text("echo"), done_at));
  EXPECT_EQ(server.state(), close_state::close_received);
  server.on_receive_requested();
  EXPECT_EQ(server.state(), close_state::closed);
  auto frames = frames_of(server, role::server);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(std::get<message_event>(frames[0]).payload, "echo");
  EXPECT_EQ(std::get<close_event>(frames[1]).code, 4000);  // the peer's code, echoed
}

TEST(session_close, verifies_that_close_and_end_stream_together_still_get_our_close_first) {
  // Chromium sends its close frame and END_STREAM together.
  session server(config_for(role::server), nullptr);
  auto m = client_frame(opcode::text, "hi");
  server.on_bytes(m);
  server.on_bytes(close_frame_from_client(1000));
  server.on_end_stream();
  // Our half must not end before our close frame is queued.
  EXPECT_EQ(server.output_size(), 0u);
  EXPECT_FALSE(server.output_ends());
  EXPECT_EQ(server.take_message(), message::text("hi"));
  server.on_receive_requested();
  EXPECT_TRUE(server.output_ends());
  auto frames = frames_of(server, role::server);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<close_event>(frames[0]).code, 1000);
}

TEST(session_close, verifies_that_a_peer_that_never_answers_our_close_times_out_with_a_reset) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  ASSERT_FALSE(client.close(1000, ""));
  (void)client.take_actions();
  client.on_timer();
  auto a = client.take_actions();
  ASSERT_TRUE(a.reset);
  EXPECT_EQ(*a.reset, stream_cancel);
  EXPECT_TRUE(a.close_completed);
  EXPECT_EQ(a.close_result, error::timeout);
  EXPECT_EQ(client.error(), error::timeout);
  client.on_stream_closed(stream_cancel);
  auto f = client.take_actions();
  EXPECT_TRUE(f.finished);
  EXPECT_EQ(client.error(), error::timeout);
}

TEST(session_close, verifies_that_an_application_that_stops_reading_gets_the_close_answered) {
  session server(config_for(role::server), nullptr);
  server.on_bytes(client_frame(opcode::text, "unread"));
  server.on_bytes(close_frame_from_client(1001));
  EXPECT_EQ(server.timer(), timer_purpose::close_reply);
  EXPECT_EQ(server.output_size(), 0u);
  server.on_timer();
  EXPECT_FALSE(server.has_message());  // dropped: nobody reads them
  EXPECT_EQ(server.state(), close_state::closed);
  auto frames = frames_of(server, role::server);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<close_event>(frames[0]).code, 1001);
}

TEST(session_close, verifies_that_a_close_after_the_peers_close_completes_at_once) {
  session server(config_for(role::server), nullptr);
  server.on_bytes(client_frame(opcode::text, "unread"));
  server.on_bytes(close_frame_from_client(1000));
  auto now = server.close(1000, "");
  ASSERT_TRUE(now);
  EXPECT_FALSE(*now);
  EXPECT_EQ(server.state(), close_state::closed);
  EXPECT_TRUE(server.output_ends());
}

TEST(session_close, verifies_that_a_reset_before_any_close_is_a_stream_reset) {
  session server(config_for(role::server), nullptr);
  ASSERT_FALSE(server.close(1000, ""));  // a close() pending when the reset comes
  (void)server.take_actions();
  server.on_stream_closed(0x2);  // INTERNAL_ERROR
  auto a = server.take_actions();
  EXPECT_TRUE(a.finished);
  EXPECT_TRUE(a.close_completed);
  EXPECT_EQ(a.close_result, error::stream_reset);
  EXPECT_EQ(server.error(), error::stream_reset);
  EXPECT_EQ(server.peer_close_code(), 1006);
  EXPECT_EQ(server.reset_code(), 0x2u);
  EXPECT_EQ(server.send_failure(), error::stream_reset);  // what queued sends fail with
  std::uint64_t done_at = 0;
  EXPECT_EQ(server.send(message::text("x"), done_at), error::send_after_close);
}

TEST(session_close, verifies_that_end_stream_without_a_close_frame_is_abnormal) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  client.on_end_stream();
  EXPECT_EQ(client.error(), error::closed_without_handshake);
  EXPECT_EQ(client.state(), close_state::closed);
  EXPECT_TRUE(client.output_ends());
  EXPECT_TRUE(client.take_actions().deliver);
  client.on_stream_closed(0);
  EXPECT_EQ(client.error(), error::closed_without_handshake);
  EXPECT_EQ(client.peer_close_code(), 1006);
}

TEST(session_close, verifies_that_a_lost_connection_after_the_close_frames_is_a_normal_end) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  client.on_bytes(close_frame_from_server(1000));
  client.on_connection_failed(make_error_code(error::connection_lost));
  EXPECT_EQ(client.error(), error::closed);
  auto a = client.take_actions();
  EXPECT_TRUE(a.finished);
  EXPECT_FALSE(a.close_result);
}

TEST(session_close, verifies_that_a_lost_connection_fails_what_is_pending) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::binary(std::string(100, 'x')), done_at));
  ASSERT_FALSE(client.ping("are you there"));
  client.on_bytes(server_frame(opcode::binary, "unacknowledged until read"));
  (void)client.take_actions();
  client.on_connection_failed(make_error_code(error::connection_lost));
  auto a = client.take_actions();
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.consume, 27u);  // the connection window gets the stream's bytes back
  EXPECT_EQ(client.send_failure(), error::connection_lost);
  EXPECT_EQ(client.output_size(), 0u);
  // The message that arrived first is still delivered, then the error.
  EXPECT_TRUE(client.has_message());
  EXPECT_EQ(client.error(), error::connection_lost);
}

TEST(session_violations, verifies_that_an_unmasked_client_frame_gets_1002_and_our_half_ends) {
  session server(config_for(role::server), nullptr);
  server.on_bytes(server_frame(opcode::text, "not masked"));
  EXPECT_EQ(server.error(), error::unmasked_frame);
  EXPECT_EQ(server.state(), close_state::close_sent);
  EXPECT_TRUE(server.output_ends());
  EXPECT_EQ(server.timer(), timer_purpose::close_handshake);
  auto frames = frames_of(server, role::server);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<close_event>(frames[0]).code, 1002);
  // Whatever follows is ignored, its window given back at once.
  (void)server.take_actions();
  auto more = client_frame(opcode::text, "ignored");
  server.on_bytes(more);
  EXPECT_EQ(server.take_actions().consume, more.size());
  EXPECT_FALSE(server.has_message());
}

TEST(session_violations, verifies_that_invalid_utf8_gets_1007) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  client.on_bytes(server_frame(opcode::text, "\xff\xfe"));
  EXPECT_EQ(client.error(), error::invalid_utf8);
  auto frames = frames_of(client, role::client);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<close_event>(frames[0]).code, 1007);
}

TEST(session_violations, verifies_that_a_compressed_frame_without_deflate_gets_1002) {
  session server(config_for(role::server), nullptr);
  test::raw_frame f{.opcode = 1, .payload = "x", .rsv1 = true, .mask = test::rfc_key};
  server.on_bytes(test::encode(f));
  EXPECT_TRUE(server.error());
  auto frames = frames_of(server, role::server);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<close_event>(frames[0]).code, 1002);
}

TEST_F(pair_fixture, verifies_that_pings_are_answered_and_pongs_matched) {
  ASSERT_FALSE(client.ping("p1"));
  pipe(client, server);  // the server answers with a pong
  pipe(server, client);
  EXPECT_EQ(client.take_actions().pongs, 1u);
  // An unsolicited pong completes nothing.
  client.on_bytes(server_frame(opcode::pong, "p1"));
  EXPECT_EQ(client.take_actions().pongs, 0u);
  auto big = client.ping(std::string(126, 'x'));
  ASSERT_TRUE(big);
  EXPECT_EQ(*big, error::bad_control_frame);
}

TEST_F(pair_fixture, verifies_that_keepalive_pings_only_an_idle_websocket) {
  client.keepalive();
  auto frames = frames_of(client, role::client);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ping_event>(frames[0]));
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::text("busy"), done_at));
  client.keepalive();
  EXPECT_EQ(frames_of(client, role::client).size(), 1u);  // the message only
}

TEST(session_sending, verifies_that_large_messages_are_fragmented_and_reassembled) {
  mask_generator masks;
  auto c = config_for(role::client);
  c.max_send_frame_size = 1000;
  session client(c, &masks);
  session server(config_for(role::server), nullptr);
  std::string payload(4500, 'a');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::text(payload), done_at));
  auto wire = drain(client);
  // On the wire: 5 frames (1000 x 4 + 500), text then continuations, FIN on the last,
  // each masked (a client's) and no larger than the limit.
  std::vector<std::pair<std::uint8_t, std::uint64_t>> frames;  // first byte, payload size
  for (std::size_t at = 0; at < wire.size();) {
    const auto b0 = wire[at], b1 = wire[at + 1];
    std::uint64_t len = b1 & 0x7f;
    std::size_t header = 2;
    if (len == 126) {
      len = (std::uint64_t{wire[at + 2]} << 8) | wire[at + 3];
      header = 4;
    }
    EXPECT_TRUE(b1 & 0x80) << "unmasked client frame";
    header += 4;
    frames.emplace_back(b0, len);
    at += header + len;
  }
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames.front().first, 0x01);  // text, no FIN
  for (std::size_t i = 1; i + 1 < frames.size(); ++i) EXPECT_EQ(frames[i].first, 0x00);
  EXPECT_EQ(frames.back().first, 0x80);  // continuation, FIN
  for (const auto& f : frames) EXPECT_LE(f.second, 1000u);
  // One byte at a time: the session keeps only partial state between calls.
  for (auto b : wire) server.on_bytes({&b, 1});
  ASSERT_TRUE(server.has_message());
  EXPECT_EQ(server.take_message(), message::text(payload));
  EXPECT_FALSE(server.error());
}

TEST(session_sending, verifies_that_deflate_compresses_on_the_wire_and_round_trips) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  session server(config_for(role::server), nullptr);
  client.enable_deflate(deflate_params{});
  server.enable_deflate(deflate_params{});
  const std::string text(10000, 'z');
  std::uint64_t done_at = 0;
  ASSERT_FALSE(client.send(message::text(text), done_at));
  EXPECT_LT(client.output_size(), 200u);
  auto wire = drain(client);
  server.on_bytes(wire);
  ASSERT_TRUE(server.has_message());
  EXPECT_EQ(server.take_message(), message::text(text));
}

TEST(session_receiving, verifies_that_backpressure_holds_the_window_until_messages_are_taken) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  auto one = server_frame(opcode::binary, "one");
  auto two = server_frame(opcode::binary, "two");
  client.on_bytes(one);
  client.on_bytes(two);
  EXPECT_EQ(client.take_actions().consume, 0u);
  EXPECT_EQ(client.unacknowledged(), one.size() + two.size());
  (void)client.take_message();
  EXPECT_EQ(client.take_actions().consume, 0u);
  (void)client.take_message();
  EXPECT_EQ(client.take_actions().consume, one.size() + two.size());
}

TEST(session_receiving, verifies_that_batches_take_messages_in_order_and_give_the_window_back) {
  mask_generator masks;
  session client(config_for(role::client), &masks);
  std::size_t wire = 0;
  for (const char* text : {"one", "two", "three", "four", "five"}) {
    auto frame = server_frame(opcode::binary, text);
    wire += frame.size();
    client.on_bytes(frame);
  }
  EXPECT_EQ(client.message_count(), 5u);
  // At most `max`: taken one by one, the rest stays, the window with it.
  std::vector<message> batch;
  client.take_messages(batch, 2);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].text(), "one");
  EXPECT_EQ(batch[1].text(), "two");
  EXPECT_EQ(client.message_count(), 3u);
  EXPECT_EQ(client.take_actions().consume, 0u);
  // All that is left into an empty vector (the queue's own is swapped in), with storage of
  // its own that the queue then keeps.
  std::vector<message> rest;
  rest.reserve(8);
  client.take_messages(rest, 10);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].text(), "three");
  EXPECT_EQ(rest[2].text(), "five");
  EXPECT_FALSE(client.has_message());
  EXPECT_EQ(client.take_actions().consume, wire);
  // The queue works on with the storage it was given.
  auto six = server_frame(opcode::binary, "six");
  client.on_bytes(six);
  client.on_receive_requested();
  // Appended to a vector that holds messages already: no swap.
  client.take_messages(batch, 10);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[2].text(), "six");
  EXPECT_EQ(client.take_actions().consume, six.size());
}

TEST(session_receiving, verifies_that_raw_mode_hands_bytes_over_unparsed) {
  session server(config_for(role::server), nullptr);
  server.use_raw_bytes();
  const std::uint8_t junk[] = {0xff, 0x00, 0x81};
  server.on_bytes(junk);
  EXPECT_EQ(server.take_actions().consume, 3u);
  ASSERT_TRUE(server.has_message());
  EXPECT_EQ(server.take_message().size(), 3u);
  std::uint64_t done_at = 0;
  ASSERT_FALSE(server.send(message::binary(std::string("\x88\x00", 2)), done_at));
  EXPECT_EQ(drain(server), (bytes{0x88, 0x00}));
}

}  // namespace
}  // namespace h2ws::ws
