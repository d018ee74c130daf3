// The h2ws error and condition categories.
#include <h2ws/error.hpp>

#include <cctype>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace {

using h2ws::condition;
using h2ws::error;

constexpr int first_error = static_cast<int>(error::no_extended_connect);
constexpr int last_error = static_cast<int>(error::gave_up);

// Verifies that the categories carry the names logs and users match on.
TEST(ErrorCategory, NamesAreStable) {
  EXPECT_STREQ(h2ws::error_category().name(), "h2ws");
  EXPECT_STREQ(h2ws::condition_category().name(), "h2ws.condition");
}

// Verifies that an h2ws::error converts implicitly to an error_code of the h2ws category.
TEST(ErrorCategory, ErrorConvertsToErrorCode) {
  const boost::system::error_code ec = error::invalid_utf8;
  EXPECT_EQ(&ec.category(), &h2ws::error_category());
  EXPECT_EQ(ec.value(), static_cast<int>(error::invalid_utf8));
  EXPECT_TRUE(ec.failed());
  EXPECT_EQ(ec, error::invalid_utf8);
  EXPECT_NE(ec, error::bad_opcode);
}

// Verifies that every value has its own message, a full sentence.
TEST(ErrorCategory, EveryValueHasADistinctSentence) {
  std::set<std::string> seen;
  for (int ev = first_error; ev <= last_error; ++ev) {
    const std::string msg = h2ws::make_error_code(static_cast<error>(ev)).message();
    ASSERT_FALSE(msg.empty()) << ev;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(msg.front()))) << msg;
    EXPECT_EQ(msg.back(), '.') << msg;
    EXPECT_TRUE(seen.insert(msg).second) << "duplicate message: " << msg;
  }
  EXPECT_FALSE(h2ws::error_category().message(0).empty());
  EXPECT_FALSE(h2ws::error_category().message(9999).empty());
}

// Verifies that each error maps to the family the API documents, and the others to none.
TEST(ErrorCategory, ErrorsMapToTheirCondition) {
  for (error e : {error::no_extended_connect, error::refused, error::unexpected_subprotocol,
                  error::tunnel_closed, error::bad_handshake_response, error::bad_url}) {
    EXPECT_EQ(h2ws::make_error_code(e), condition::handshake_failed) << static_cast<int>(e);
  }
  for (error e : {error::bad_opcode, error::bad_reserved_bits, error::masked_frame,
                  error::unmasked_frame, error::bad_control_frame, error::bad_continuation,
                  error::bad_data_frame, error::bad_frame_length, error::bad_close_frame,
                  error::invalid_utf8, error::http2_protocol_error}) {
    EXPECT_EQ(h2ws::make_error_code(e), condition::protocol_violation) << static_cast<int>(e);
  }
  for (error e : {error::stream_reset, error::goaway, error::connection_lost, error::timeout,
                  error::closed_without_handshake, error::message_not_sent, error::disconnected,
                  error::gave_up}) {
    EXPECT_EQ(h2ws::make_error_code(e), condition::peer_went_away) << static_cast<int>(e);
  }
  for (error e :
       {error::message_too_big, error::frame_too_big, error::closed, error::operation_aborted,
        error::connection_closed, error::too_many_streams, error::bad_close_code,
        error::send_after_close, error::not_implemented, error::send_queue_full}) {
    const auto ec = h2ws::make_error_code(e);
    EXPECT_NE(ec, condition::handshake_failed) << static_cast<int>(e);
    EXPECT_NE(ec, condition::protocol_violation) << static_cast<int>(e);
    EXPECT_NE(ec, condition::peer_went_away) << static_cast<int>(e);
    EXPECT_EQ(ec.default_error_condition().category(), h2ws::error_category());
  }
}

// Verifies that conditions convert to error_conditions of the condition category with messages.
TEST(ErrorCategory, ConditionsHaveMessages) {
  for (condition c :
       {condition::handshake_failed, condition::protocol_violation, condition::peer_went_away}) {
    const boost::system::error_condition cond = c;
    EXPECT_EQ(&cond.category(), &h2ws::condition_category());
    EXPECT_EQ(cond.message().back(), '.');
  }
}

// Verifies that h2ws codes do not compare equal to unrelated system codes with the same number.
TEST(ErrorCategory, DistinctFromGenericCategory) {
  const boost::system::error_code ours = error::refused;
  const boost::system::error_code generic(ours.value(), boost::system::generic_category());
  EXPECT_NE(ours, generic);
}

}  // namespace
