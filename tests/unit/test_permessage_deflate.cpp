// permessage-deflate compression: round trips, context takeover, RFC 7692 examples, interop with
// plain zlib, decompression bombs, corrupt data, memory.
#include "ws/permessage_deflate.hpp"
#include <h2ws/error.hpp>

#include <cstdint>
#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

namespace {

using namespace h2ws::ws;
using h2ws::error;
using bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Text that compresses like real traffic: words from a small vocabulary, in a deterministic
// pseudo-random order, so matches exist at every distance.
std::string sample_text(std::size_t size, std::uint32_t seed = 1) {
  static const char* const words[] = {"websocket", "frame",  "deflate", "window", "stream",
                                      "message",   "server", "client",  "header", "payload",
                                      "context",   "bits",   "h2",      "zlib",   "42"};
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(size + 16);
  while (s.size() < size) {
    s += words[rng() % std::size(words)];
    s += (rng() % 8 == 0) ? '\n' : ' ';
  }
  s.resize(size);
  return s;
}

// Incompressible bytes.
std::string random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

bytes compress(deflater& d, std::string_view message) {
  bytes out;
  d.compress(as_span(message), out);
  return out;
}

// Sends `messages` from `sender` to the other side with the agreed `p`, checking each arrives
// intact. Returns the compressed sizes.
std::vector<std::size_t> round_trip(role sender, const deflate_params& p,
                                    const std::vector<std::string>& messages) {
  deflater d(sender, p);
  inflater i(sender == role::client ? role::server : role::client, p);
  std::vector<std::size_t> sizes;
  for (const std::string& m : messages) {
    const bytes wire = compress(d, m);
    std::string got;
    EXPECT_FALSE(i.decompress(wire, 0, got)) << "size " << m.size();
    EXPECT_TRUE(got == m) << "size " << m.size() << " got " << got.size();
    sizes.push_back(wire.size());
  }
  return sizes;
}

// Verifies that messages of 0, 1, 1000 and 1 MiB bytes survive compression in both directions
// for every window size and both takeover modes, one after another on the same streams.
TEST(PermessageDeflate, RoundTripsEverySizeWindowAndTakeoverMode) {
  const std::vector<std::string> messages = {
      "", sample_text(1), sample_text(1000, 2), sample_text(1 << 20, 3), random_bytes(1000, 4), ""};
  for (int bits = 8; bits <= 15; ++bits) {
    for (bool no_takeover : {false, true}) {
      const deflate_params p{no_takeover, no_takeover, bits, bits};
      for (role sender : {role::client, role::server}) {
        SCOPED_TRACE(testing::Message()
                     << "bits " << bits << " no_takeover " << no_takeover << " sender "
                     << (sender == role::client ? "client" : "server"));
        const auto sizes = round_trip(sender, p, messages);
        EXPECT_LT(sizes[3], (1u << 20) / 2);  // the text really was compressed
      }
    }
  }
}

// Verifies that with context takeover a repeated message compresses to a few bytes (it refers to
// the previous one), and without it every copy costs the same.
TEST(PermessageDeflate, ContextTakeoverShrinksRepeatedMessages) {
  const std::string m = sample_text(2000, 7);
  const std::vector<std::string> messages(5, m);
  const auto kept = round_trip(role::client, {}, messages);
  EXPECT_LT(kept[1] * 10, kept[0]);
  for (std::size_t k = 2; k < kept.size(); ++k) EXPECT_LT(kept[k] * 10, kept[0]);

  const auto reset = round_trip(role::client, {.client_no_context_takeover = true}, messages);
  for (std::size_t size : reset) EXPECT_EQ(size, reset[0]);
  EXPECT_EQ(reset[0], kept[0]);
}

// Verifies that a long conversation with context takeover stays in sync: many messages of mixed
// sizes and content, each sent with the window of all earlier ones.
TEST(PermessageDeflate, ManyMessagesInARow) {
  std::vector<std::string> messages;
  for (std::uint32_t k = 0; k < 300; ++k) {
    messages.push_back(k % 7 == 3 ? random_bytes(k * 13 % 700, k) : sample_text(k * 37 % 5000, k));
  }
  for (int bits : {9, 12, 15}) {
    round_trip(role::server, {.server_max_window_bits = bits}, messages);
    round_trip(role::client, {.client_max_window_bits = bits}, messages);
  }
}

// Verifies that a server compresses with server_max_window_bits and a client inflates with it
// (and the reverse): a message repeating the previous one 1000 bytes back fits a 10-bit window,
// not a 9-bit one. (Within one message zlib copies from its output, so only the window carried
// between messages shows the size.)
TEST(PermessageDeflate, EachRoleUsesItsWindow) {
  const std::string block = random_bytes(1000, 9);
  for (role sender : {role::client, role::server}) {
    const role receiver = sender == role::client ? role::server : role::client;
    const deflate_params wide;  // 15 bits each way
    deflater d(sender, wide);
    const bytes first = compress(d, block);
    const bytes second = compress(d, block);
    EXPECT_LT(second.size(), 100u);  // the repeat was found

    deflate_params narrow = wide;
    (sender == role::client ? narrow.client_max_window_bits : narrow.server_max_window_bits) = 9;
    inflater small(receiver, narrow);
    std::string got;
    EXPECT_FALSE(small.decompress(first, 0, got));
    EXPECT_EQ(small.decompress(second, 0, got), error::inflate_failed);

    // The other direction's bits do not matter to this receiver.
    deflate_params other = wide;
    (sender == role::client ? other.server_max_window_bits : other.client_max_window_bits) = 9;
    inflater right(receiver, other);
    got.clear();
    EXPECT_FALSE(right.decompress(first, 0, got));
    EXPECT_FALSE(right.decompress(second, 0, got));
    EXPECT_TRUE(got == block + block);
  }
}

// Verifies that a deflater told 8 bits (zlib compresses with 9) never reaches back more than 256
// bytes, so a peer inflating with a 256-byte window reads its output: within a message and, with
// context takeover, into the previous one (which is where the inflater's window is checked).
TEST(PermessageDeflate, EightBitWindowFitsA256ByteInflater) {
  std::string m;
  for (std::uint32_t k = 0; k < 50; ++k) {
    const std::string chunk = random_bytes(100 + k * 7, k);  // repeats 200..1000 bytes back
    m += chunk + random_bytes(100, 1000 + k) + chunk;
  }
  m += sample_text(100000, 5);
  const std::string tail = random_bytes(300, 77);  // each copy 300 bytes after the last
  const std::vector<std::string> messages = {tail, tail, m, tail, tail, "Hello", "Hello"};
  const deflate_params p{.client_max_window_bits = 8};
  deflater d(role::client, p);
  inflater i(role::server, p);
  for (const std::string& message : messages) {
    std::string got;
    ASSERT_FALSE(i.decompress(compress(d, message), 0, got));
    EXPECT_TRUE(got == message);
  }
  // Control: a 10-bit deflater does reach 300 bytes back, and the 8-bit inflater refuses it.
  deflater ten(role::client, {.client_max_window_bits = 10});
  inflater eight(role::server, p);
  std::string got;
  ASSERT_FALSE(eight.decompress(compress(ten, tail), 0, got));
  EXPECT_EQ(eight.decompress(compress(ten, tail), 0, got), error::inflate_failed);
}

// Verifies the RFC 7692 section 7.2.3.1 example both ways: "Hello" is f2 48 cd c9 c9 07 00.
TEST(PermessageDeflate, Rfc7692HelloExample) {
  const bytes hello = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  deflater d(role::server, {});
  EXPECT_EQ(compress(d, "Hello"), hello);
  inflater i(role::client, {});
  std::string got;
  EXPECT_FALSE(i.decompress(hello, 0, got));
  EXPECT_EQ(got, "Hello");
}

// Verifies the RFC 7692 section 7.2.3.2 example: with context takeover the second "Hello" is
// f2 00 11 00 00; without it, the first form again.
TEST(PermessageDeflate, Rfc7692ContextTakeoverExample) {
  const bytes first = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  const bytes second = {0xf2, 0x00, 0x11, 0x00, 0x00};
  deflater d(role::client, {});
  EXPECT_EQ(compress(d, "Hello"), first);
  EXPECT_EQ(compress(d, "Hello"), second);
  inflater i(role::server, {});
  std::string got;
  EXPECT_FALSE(i.decompress(first, 0, got));
  EXPECT_FALSE(i.decompress(second, 0, got));
  EXPECT_EQ(got, "HelloHello");

  deflater fresh(role::client, {.client_no_context_takeover = true});
  EXPECT_EQ(compress(fresh, "Hello"), first);
  EXPECT_EQ(compress(fresh, "Hello"), first);
}

// Verifies the other payload forms of RFC 7692 section 7.2.3: a stored block (7.2.3.3), a
// final block (7.2.3.4), two blocks (7.2.3.5), and the empty message (7.2.3.6).
TEST(PermessageDeflate, Rfc7692OtherPayloadForms) {
  const std::vector<std::pair<bytes, std::string>> cases = {
      {{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, "Hello"},
      {{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, "Hello"},
      {{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, "Hello"},
      {{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, "Hello"},
      {{0x00}, ""},
      {{}, ""},
  };
  for (const auto& [wire, text] : cases) {
    for (bool no_takeover : {false, true}) {
      inflater i(role::client, {.server_no_context_takeover = no_takeover});
      // Twice on the same inflater: the stream is ready for the next message.
      for (int k = 0; k < 2; ++k) {
        std::string got;
        EXPECT_FALSE(i.decompress(wire, 0, got)) << text;
        EXPECT_EQ(got, text);
      }
    }
  }
  // An empty message compresses to one 00 byte, whatever came before.
  deflater d(role::client, {});
  EXPECT_EQ(compress(d, ""), bytes{0x00});
  compress(d, "Hello");
  EXPECT_EQ(compress(d, ""), bytes{0x00});
}

// Plain zlib raw deflate of `messages` on one stream, each ended as `flush` asks (the tail of a
// sync flush removed), as another RFC 7692 implementation built on zlib would send it.
std::vector<bytes> zlib_deflate(const std::vector<std::string>& messages, int bits, int level,
                                int flush) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, -bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<bytes> out;
  for (const std::string& m : messages) {
    bytes o(deflateBound(&z, m.size()) + 64);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.data()));
    z.avail_in = static_cast<uInt>(m.size());
    z.next_out = o.data();
    z.avail_out = static_cast<uInt>(o.size());
    const int rc = deflate(&z, flush);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
    // erase(), not resize(): GCC 12 at -O1 with sanitizers warns about resize's unused branch.
    o.erase(o.end() - z.avail_out, o.end());
    if (flush == Z_SYNC_FLUSH) {
      EXPECT_EQ(bytes(o.end() - 4, o.end()), (bytes{0x00, 0x00, 0xff, 0xff}));
      o.erase(o.end() - 4, o.end());
    } else {
      deflateReset(&z);
    }
    out.push_back(std::move(o));
  }
  deflateEnd(&z);
  return out;
}

// Verifies that the inflater reads what plain zlib makes: other levels and memLevels, sync
// flushes with context takeover, and whole streams ended with Z_FINISH (a final block).
TEST(PermessageDeflate, InflatesPlainZlibOutput) {
  std::vector<std::string> messages;
  for (std::uint32_t k = 0; k < 20; ++k) messages.push_back(sample_text(k * 997, k));
  for (int level : {0, 1, 9}) {
    for (int flush : {Z_SYNC_FLUSH, Z_FINISH}) {
      SCOPED_TRACE(testing::Message() << "level " << level << " flush " << flush);
      const auto wire = zlib_deflate(messages, 11, level, flush);
      inflater i(role::client, {.server_max_window_bits = 11});
      for (std::size_t k = 0; k < messages.size(); ++k) {
        std::string got;
        EXPECT_FALSE(i.decompress(wire[k], 0, got));
        EXPECT_TRUE(got == messages[k]) << k;
      }
    }
  }
}

// Verifies that plain zlib inflates what the deflater makes, once 00 00 ff ff is put back.
TEST(PermessageDeflate, PlainZlibInflatesOurOutput) {
  deflater d(role::client, {.client_max_window_bits = 10});
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, -10), Z_OK);
  for (std::uint32_t k = 0; k < 20; ++k) {
    const std::string m = sample_text(k * 1531, k);
    bytes wire = compress(d, m);
    wire.insert(wire.end(), {0x00, 0x00, 0xff, 0xff});
    std::string got(m.size() + 1, '\0');
    z.next_in = wire.data();
    z.avail_in = static_cast<uInt>(wire.size());
    z.next_out = reinterpret_cast<Bytef*>(got.data());
    z.avail_out = static_cast<uInt>(got.size());
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_BUF_ERROR) << rc;
    EXPECT_EQ(z.avail_in, 0u);
    got.resize(got.size() - z.avail_out);
    EXPECT_TRUE(got == m) << k;
  }
  inflateEnd(&z);
}

// Verifies that a decompression bomb (10 MiB of zeros, about 10 KiB compressed) is stopped at
// the limit: message_too_big, `out` never grew past the limit plus one byte, and is restored.
TEST(PermessageDeflate, BombStopsAtTheLimit) {
  const std::string zeros(10 << 20, '\0');
  deflater d(role::server, {});
  const bytes bomb = compress(d, zeros);
  EXPECT_LT(bomb.size(), 12u * 1024);
  std::printf("[          ] 10 MiB of zeros deflate to %zu bytes\n", bomb.size());

  constexpr std::size_t limit = 1 << 20;
  inflater i(role::client, {});
  std::string out = "kept";
  EXPECT_EQ(i.decompress(bomb, limit, out), error::message_too_big);
  EXPECT_EQ(out, "kept");
  EXPECT_LE(out.capacity(), 4 + limit + 1);
  // Sticky: the stream is mid-message, nothing later can be inflated.
  EXPECT_EQ(i.decompress(bomb, 0, out), error::message_too_big);

  // A message of exactly the limit passes; one byte more does not.
  const std::string m = sample_text(100000, 11);
  for (std::size_t max : {m.size(), m.size() - 1}) {
    deflater d2(role::server, {});
    inflater i2(role::client, {});
    std::string got;
    const auto ec = i2.decompress(compress(d2, m), max, got);
    if (max == m.size()) {
      EXPECT_FALSE(ec);
      EXPECT_TRUE(got == m);
    } else {
      EXPECT_EQ(ec, error::message_too_big);
      EXPECT_TRUE(got.empty());
    }
  }
}

// Verifies that a payload made of many tiny stored blocks (each one a return from zlib) inflates
// correctly; it must also be cheap (no per-block work proportional to the output buffer).
TEST(PermessageDeflate, ManyTinyBlocks) {
  bytes wire;
  std::string expected;
  for (int k = 0; k < 200000; ++k) {
    if (k % 2 == 0) {
      wire.insert(wire.end(), {0x00, 0x00, 0x00, 0xff, 0xff});  // empty stored block
    } else {
      wire.insert(wire.end(), {0x00, 0x01, 0x00, 0xfe, 0xff, 'a'});
      expected += 'a';
    }
  }
  wire.push_back(0x00);
  inflater i(role::client, {});
  std::string got;
  EXPECT_FALSE(i.decompress(wire, 0, got));
  EXPECT_TRUE(got == expected);
  got.clear();
  EXPECT_EQ(i.decompress(wire, 50000, got), error::message_too_big);
}

// Verifies that data which is not deflate, or is cut short, fails with inflate_failed, that
// `out` is restored, and that the inflater stays failed.
TEST(PermessageDeflate, CorruptDataFails) {
  deflater d(role::client, {});
  const bytes good = compress(d, sample_text(5000, 12));
  const std::vector<bytes> bad = {
      {0xff, 0xff, 0xff, 0xff},                                 // BTYPE 11 is reserved
      {0x00, 0x05, 0x00, 0x00, 0x00, 'H', 'e', 'l', 'l', 'o'},  // stored LEN != ~NLEN
      bytes(good.begin(), good.begin() + good.size() / 2),      // cut short
      bytes(good.begin(), good.end() - 1),                      // last byte missing
  };
  for (const bytes& b : bad) {
    inflater i(role::server, {});
    std::string out = "x";
    EXPECT_EQ(i.decompress(b, 0, out), error::inflate_failed) << b.size();
    EXPECT_EQ(out, "x");
    EXPECT_EQ(i.decompress(good, 0, out), error::inflate_failed);
  }
  // Distance beyond the start of the stream: inflate needs history it never saw.
  inflater i(role::client, {});
  std::string out;
  const bytes second_hello = {0xf2, 0x00, 0x11, 0x00, 0x00};
  EXPECT_EQ(i.decompress(second_hello, 0, out), error::inflate_failed);
}

// Verifies the construction preconditions.
TEST(PermessageDeflate, RejectsOutOfRangeSettings) {
  EXPECT_THROW(deflater(role::client, {.client_max_window_bits = 7}), std::invalid_argument);
  EXPECT_THROW(deflater(role::server, {.server_max_window_bits = 16}), std::invalid_argument);
  EXPECT_THROW(deflater(role::client, {}, 0), std::invalid_argument);
  EXPECT_THROW(deflater(role::client, {}, 10), std::invalid_argument);
  EXPECT_THROW(inflater(role::client, {.server_max_window_bits = 16}), std::invalid_argument);
}

// Measures and bounds what zlib holds per deflater and inflater, and prints the figures.
TEST(PermessageDeflate, MemoryIsBounded) {
  const std::string m = sample_text(100000, 13);
  for (int bits = 8; bits <= 15; ++bits) {
    const deflate_params p{.server_max_window_bits = bits, .client_max_window_bits = bits};
    deflater d(role::client, p);
    const std::size_t d_mem = d.memory();
    inflater i(role::server, p);
    const std::size_t i_idle = i.memory();
    std::string got;
    ASSERT_FALSE(i.decompress(compress(d, m), 0, got));
    EXPECT_EQ(d.memory(), d_mem);  // all allocated up front
    const std::size_t i_mem = i.memory();
    const int dbits = std::max(bits, 9);
    const std::size_t formula = (std::size_t{1} << (dbits + 2)) + (std::size_t{1} << (8 + 9));
    EXPECT_GE(d_mem, formula);
    EXPECT_LE(d_mem, formula + 8 * 1024);
    EXPECT_LE(i_mem, (std::size_t{1} << bits) + 8 * 1024);
    std::printf(
        "[          ] bits %2d: deflater %6zu B (formula %6zu), inflater %5zu B idle, %5zu B "
        "after a message\n",
        bits, d_mem, formula, i_idle, i_mem);
  }
  for (int mem_level : {1, 4, 9}) {
    deflater d(role::client, {}, mem_level);
    std::printf("[          ] bits 15, mem_level %d: deflater %zu B\n", mem_level, d.memory());
    EXPECT_LE(d.memory(), (std::size_t{1} << 17) + (std::size_t{1} << (mem_level + 9)) + 8 * 1024);
  }
}

// Verifies that deflaters and inflaters can be moved (their zlib state does not point back at a
// moved-from object).
TEST(PermessageDeflate, MovedObjectsKeepWorking) {
  deflater d0(role::client, {});
  inflater i0(role::server, {});
  std::string got;
  ASSERT_FALSE(i0.decompress(compress(d0, "Hello"), 0, got));
  deflater d = std::move(d0);
  inflater i = std::move(i0);
  ASSERT_FALSE(i.decompress(compress(d, "Hello"), 0, got));
  EXPECT_EQ(got, "HelloHello");
  EXPECT_GT(d.memory(), 0u);
}

// Verifies the messages and families of the two errors permessage-deflate adds.
TEST(PermessageDeflate, ErrorsHaveMessagesAndFamilies) {
  const boost::system::error_code negotiation = error::bad_extension_negotiation;
  const boost::system::error_code inflate = error::inflate_failed;
  EXPECT_EQ(negotiation, h2ws::condition::handshake_failed);
  EXPECT_EQ(inflate, h2ws::condition::protocol_violation);
  EXPECT_NE(negotiation.message(), inflate.message());
  EXPECT_EQ(negotiation.message().back(), '.');
  EXPECT_EQ(inflate.message().back(), '.');
  EXPECT_NE(inflate.message(), h2ws::make_error_code(error::no_h2_alpn).message());
}

}  // namespace
