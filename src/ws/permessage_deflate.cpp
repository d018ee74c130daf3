#include "ws/permessage_deflate.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

#include <climits>
#include <zlib.h>

namespace h2ws::ws {

namespace {

constexpr std::string_view extension_name = "permessage-deflate";
constexpr int min_window_bits = 8;
constexpr int max_window_bits = 15;

// ---------------------------------------------------------------------------------------------
// sec-websocket-extensions syntax (RFC 6455 section 9.1, with the optional whitespace of HTTP
// lists):
//   extension-list = 1#extension
//   extension      = token *( ";" param )
//   param          = token [ "=" ( token / quoted-string ) ]
// A quoted value must be a token once unescaped.

struct ext_param {
  std::string name;                  // lower-cased
  std::optional<std::string> value;  // unquoted
};

struct extension {
  std::string name;  // lower-cased
  std::vector<ext_param> params;
};

bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

class list_parser {
 public:
  explicit list_parser(std::string_view s) : s_(s) {}

  // Parses the whole list; false on a syntax error. Empty list elements are skipped.
  bool parse(std::vector<extension>& out) {
    for (;;) {
      skip_ows();
      if (at_end()) return true;
      if (peek() == ',') {
        ++i_;
        continue;
      }
      extension ext;
      if (!token(ext.name)) return false;
      lower(ext.name);
      for (;;) {
        skip_ows();
        if (at_end()) break;
        if (peek() == ',') {
          ++i_;
          break;
        }
        if (peek() != ';') return false;
        ++i_;
        skip_ows();
        ext_param p;
        if (!token(p.name)) return false;
        lower(p.name);
        skip_ows();
        if (!at_end() && peek() == '=') {
          ++i_;
          skip_ows();
          std::string v;
          if (!at_end() && peek() == '"') {
            if (!quoted(v)) return false;
          } else if (!token(v)) {
            return false;
          }
          p.value = std::move(v);
        }
        ext.params.push_back(std::move(p));
      }
      out.push_back(std::move(ext));
    }
  }

 private:
  bool at_end() const { return i_ == s_.size(); }
  char peek() const { return s_[i_]; }
  void skip_ows() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++i_;
  }
  static void lower(std::string& s) {
    for (char& c : s) c = to_lower(c);
  }
  bool token(std::string& out) {
    const std::size_t begin = i_;
    while (!at_end() && is_tchar(peek())) ++i_;
    out.assign(s_.substr(begin, i_ - begin));
    return !out.empty();
  }
  // quoted-string; the unescaped content must itself be a token.
  bool quoted(std::string& out) {
    ++i_;  // opening quote
    while (!at_end() && peek() != '"') {
      if (peek() == '\\') {
        ++i_;
        if (at_end()) return false;
      }
      out.push_back(peek());
      ++i_;
    }
    if (at_end()) return false;
    ++i_;  // closing quote
    return !out.empty() && std::all_of(out.begin(), out.end(), is_tchar);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------
// permessage-deflate parameters as written in one offer or response.

struct pmd_fields {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::optional<int> server_max_window_bits;
  bool client_max_window_bits_present = false;
  std::optional<int> client_max_window_bits;  // its value, when it has one
};

// 1*DIGIT without leading zero, 8..15 (RFC 7692 sections 7.1.2.1 and 7.1.2.2).
std::optional<int> parse_window_bits(const std::optional<std::string>& v) {
  if (!v || v->empty() || v->size() > 2 || (*v)[0] == '0') return std::nullopt;
  int n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < min_window_bits || n > max_window_bits) return std::nullopt;
  return n;
}

// Applies the rules both sides share (RFC 7692 section 5 and 7.1): known names only, each at
// most once, flags without values, window bits valid. In a response client_max_window_bits
// needs a value; in an offer the value is optional.
bool read_fields(const std::vector<ext_param>& params, bool response, pmd_fields& f) {
  bool seen_snct = false, seen_cnct = false, seen_smwb = false;
  for (const ext_param& p : params) {
    if (p.name == "server_no_context_takeover" || p.name == "client_no_context_takeover") {
      const bool server = p.name[0] == 's';
      bool& seen = server ? seen_snct : seen_cnct;
      if (seen || p.value) return false;
      seen = true;
      (server ? f.server_no_context_takeover : f.client_no_context_takeover) = true;
    } else if (p.name == "server_max_window_bits") {
      if (seen_smwb) return false;
      seen_smwb = true;
      f.server_max_window_bits = parse_window_bits(p.value);
      if (!f.server_max_window_bits) return false;
    } else if (p.name == "client_max_window_bits") {
      if (f.client_max_window_bits_present) return false;
      f.client_max_window_bits_present = true;
      if (p.value || response) {
        f.client_max_window_bits = parse_window_bits(p.value);
        if (!f.client_max_window_bits) return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

bool valid_bits(int bits) { return bits >= min_window_bits && bits <= max_window_bits; }

void check_params(const deflate_params& p) {
  if (!valid_bits(p.server_max_window_bits) || !valid_bits(p.client_max_window_bits)) {
    throw std::invalid_argument("permessage-deflate window bits must be 8..15");
  }
}

// ---------------------------------------------------------------------------------------------
// zlib plumbing shared by deflater and inflater: allocations counted for memory().

// Allocation header: the block size, padded so the returned pointer keeps malloc's alignment.
constexpr std::size_t alloc_header = alignof(std::max_align_t);

struct counted_stream {
  z_stream z{};
  std::size_t allocated = 0;  // bytes zlib holds, headers excluded

  counted_stream() {
    z.zalloc = [](voidpf opaque, uInt items, uInt size) -> voidpf {
      const std::size_t n = static_cast<std::size_t>(items) * size;
      auto* p = static_cast<unsigned char*>(std::malloc(n + alloc_header));
      if (!p) return Z_NULL;
      std::memcpy(p, &n, sizeof n);
      static_cast<counted_stream*>(opaque)->allocated += n;
      return p + alloc_header;
    };
    z.zfree = [](voidpf opaque, voidpf address) {
      if (!address) return;
      auto* p = static_cast<unsigned char*>(address) - alloc_header;
      std::size_t n;
      std::memcpy(&n, p, sizeof n);
      static_cast<counted_stream*>(opaque)->allocated -= n;
      std::free(p);
    };
    z.opaque = this;
  }
  counted_stream(const counted_stream&) = delete;
  counted_stream& operator=(const counted_stream&) = delete;
};

// zlib counts input and output in uInt; larger spans are fed in pieces.
constexpr std::size_t max_piece = std::size_t{1} << 30;

// The empty stored block a sync flush ends with (RFC 7692 section 7.2.1).
constexpr std::array<std::uint8_t, 4> sync_tail = {0x00, 0x00, 0xff, 0xff};

// Output is produced in steps of this size (or of the spare capacity, when larger).
constexpr std::size_t output_step = 16 * 1024;

// Makes room for at least `want` more bytes at the end of `buf`, growing its capacity
// geometrically but never past `cap` bytes in total (cap >= buf.size() + want). Returns the
// number of bytes now usable: the spare capacity, at least `want`, at most up to `cap`.
template <class Buffer>
std::size_t grow(Buffer& buf, std::size_t want, std::size_t cap) {
  const std::size_t need = buf.size() + want;
  if (buf.capacity() < need) {
    const std::size_t target = std::min(std::max(need, buf.capacity() * 2), cap);
    if (target < buf.capacity() * 2) {
      // reserve() may round up to twice the old capacity (libstdc++ strings do), past `cap`:
      // move to a buffer allocated at exactly the target instead.
      Buffer fresh;
      fresh.reserve(target);
      fresh.insert(fresh.end(), buf.begin(), buf.end());
      buf.swap(fresh);
    } else {
      buf.reserve(target);
    }
  }
  return std::min(buf.capacity(), cap) - buf.size();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Negotiation.

std::string client_offer(const deflate_params& wanted) {
  check_params(wanted);
  std::string s(extension_name);
  if (wanted.server_no_context_takeover) s += "; server_no_context_takeover";
  if (wanted.client_no_context_takeover) s += "; client_no_context_takeover";
  if (wanted.server_max_window_bits < max_window_bits) {
    s += "; server_max_window_bits=" + std::to_string(wanted.server_max_window_bits);
  }
  s += "; client_max_window_bits";
  if (wanted.client_max_window_bits < max_window_bits) {
    s += "=" + std::to_string(wanted.client_max_window_bits);
  }
  return s;
}

boost::system::error_code parse_server_answer(std::string_view header,
                                              const deflate_params& offered,
                                              std::optional<deflate_params>& out) {
  out.reset();
  std::vector<extension> list;
  if (!list_parser(header).parse(list)) return error::bad_extension_negotiation;
  if (list.empty()) return {};
  // We offered one extension, once: anything else in the answer was not offered.
  if (list.size() != 1 || list[0].name != extension_name) return error::bad_extension_negotiation;

  pmd_fields f;
  if (!read_fields(list[0].params, /*response=*/true, f)) return error::bad_extension_negotiation;
  // The server accepts these two only by echoing them (RFC 7692 7.1.1.1, 7.1.2.1).
  if (offered.server_no_context_takeover && !f.server_no_context_takeover) {
    return error::bad_extension_negotiation;
  }
  if (offered.server_max_window_bits < max_window_bits &&
      (!f.server_max_window_bits || *f.server_max_window_bits > offered.server_max_window_bits)) {
    return error::bad_extension_negotiation;
  }
  // client_offer always sends client_max_window_bits, so the server may limit us; our offer's
  // value and client_no_context_takeover are promises we keep whatever the answer.
  deflate_params p;
  p.server_no_context_takeover = f.server_no_context_takeover;
  p.client_no_context_takeover = f.client_no_context_takeover || offered.client_no_context_takeover;
  p.server_max_window_bits = f.server_max_window_bits.value_or(max_window_bits);
  p.client_max_window_bits =
      std::min(f.client_max_window_bits.value_or(max_window_bits), offered.client_max_window_bits);
  out = p;
  return {};
}

std::optional<deflate_agreement> accept_client_offer(std::string_view offers,
                                                     const deflate_params& limits) {
  check_params(limits);
  std::vector<extension> list;
  if (!list_parser(offers).parse(list)) return std::nullopt;
  for (const extension& ext : list) {
    if (ext.name != extension_name) continue;
    pmd_fields f;
    if (!read_fields(ext.params, /*response=*/false, f)) continue;  // MUST decline (section 5)
    if (!f.client_max_window_bits_present && limits.client_max_window_bits < max_window_bits) {
      continue;  // we cannot limit this client's window
    }
    deflate_agreement a;
    deflate_params& p = a.params;
    std::string& s = a.response;
    s = extension_name;
    p.server_no_context_takeover =
        f.server_no_context_takeover || limits.server_no_context_takeover;
    if (p.server_no_context_takeover) s += "; server_no_context_takeover";
    p.client_no_context_takeover =
        f.client_no_context_takeover || limits.client_no_context_takeover;
    if (p.client_no_context_takeover) s += "; client_no_context_takeover";
    p.server_max_window_bits =
        std::min(f.server_max_window_bits.value_or(max_window_bits), limits.server_max_window_bits);
    if (f.server_max_window_bits || p.server_max_window_bits < max_window_bits) {
      s += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    }
    p.client_max_window_bits =
        std::min(f.client_max_window_bits.value_or(max_window_bits), limits.client_max_window_bits);
    if (f.client_max_window_bits_present && p.client_max_window_bits < max_window_bits) {
      s += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
    }
    return a;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// deflater

struct deflater::state {
  counted_stream cs;
  bool no_context_takeover = false;
  ~state() { deflateEnd(&cs.z); }
};

deflater::deflater(role local_role, const deflate_params& params, int mem_level, int level) {
  check_params(params);
  if (mem_level < 1 || mem_level > MAX_MEM_LEVEL) {
    throw std::invalid_argument("permessage-deflate mem_level must be 1..9");
  }
  if (level < -1 || level > 9) throw std::invalid_argument("deflate level must be -1..9");
  const bool client = local_role == role::client;
  int bits = client ? params.client_max_window_bits : params.server_max_window_bits;
  // zlib refuses 8 for raw deflate; with 9 it never reaches back more than 250 bytes.
  bits = std::max(bits, 9);
  auto s = std::make_unique<state>();
  s->no_context_takeover =
      client ? params.client_no_context_takeover : params.server_no_context_takeover;
  const int rc = deflateInit2(&s->cs.z, level, Z_DEFLATED, -bits, mem_level, Z_DEFAULT_STRATEGY);
  if (rc == Z_MEM_ERROR) throw std::bad_alloc();
  if (rc != Z_OK) throw std::invalid_argument("deflateInit2 refused the parameters");
  s_ = std::move(s);
}

deflater::~deflater() = default;
deflater::deflater(deflater&&) noexcept = default;
deflater& deflater::operator=(deflater&&) noexcept = default;

std::size_t deflater::memory() const noexcept { return s_ ? s_->cs.allocated : 0; }

void deflater::compress(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out) {
  if (message.empty()) {
    // A sync flush of nothing gives nothing once the stream has started, and an empty payload
    // would leave the peer's inflater mid-block: send an empty stored block's first byte.
    out.push_back(0x00);
    return;
  }
  z_stream& z = s_->cs.z;
  const std::size_t start = out.size();
  const auto unlimited = std::numeric_limits<std::size_t>::max();
  // First step: enough for the whole message in the common case.
  std::size_t step = deflateBound(&z, static_cast<uLong>(std::min(message.size(), max_piece))) + 16;
  while (!message.empty()) {
    const std::size_t piece = std::min(message.size(), max_piece);
    const int flush = piece == message.size() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    z.next_in = const_cast<Bytef*>(message.data());
    z.avail_in = static_cast<uInt>(piece);
    do {
      // Keep more than 6 bytes of room so a sync flush marker is not split (zlib manual).
      const std::size_t room =
          std::min(grow(out, std::max(step, std::size_t{64}), unlimited), std::size_t{UINT_MAX});
      step = output_step;
      const std::size_t used = out.size();
      out.resize(used + room);
      z.next_out = out.data() + used;
      z.avail_out = static_cast<uInt>(room);
      const int rc = deflate(&z, flush);
      out.resize(used + room - z.avail_out);
      // Z_BUF_ERROR only means no progress was possible; anything else is a bug.
      if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::logic_error("deflate failed");
    } while (z.avail_out == 0 || z.avail_in != 0);
    message = message.subspan(piece);
  }
  // A sync flush ends with 00 00 ff ff, which the receiver puts back (RFC 7692 7.2.1).
  if (out.size() - start >= sync_tail.size() &&
      std::equal(sync_tail.begin(), sync_tail.end(), out.end() - sync_tail.size())) {
    out.resize(out.size() - sync_tail.size());
  }
  if (s_->no_context_takeover) deflateReset(&z);
}

// ---------------------------------------------------------------------------------------------
// inflater

struct inflater::state {
  counted_stream cs;
  bool no_context_takeover = false;
  boost::system::error_code failed;
  ~state() { inflateEnd(&cs.z); }
};

inflater::inflater(role local_role, const deflate_params& params) {
  check_params(params);
  const bool client = local_role == role::client;
  // We inflate what the peer compressed: the peer's window, the peer's takeover.
  const int bits = client ? params.server_max_window_bits : params.client_max_window_bits;
  auto s = std::make_unique<state>();
  s->no_context_takeover =
      client ? params.server_no_context_takeover : params.client_no_context_takeover;
  const int rc = inflateInit2(&s->cs.z, -bits);
  if (rc == Z_MEM_ERROR) throw std::bad_alloc();
  if (rc != Z_OK) throw std::invalid_argument("inflateInit2 refused the parameters");
  s_ = std::move(s);
}

inflater::~inflater() = default;
inflater::inflater(inflater&&) noexcept = default;
inflater& inflater::operator=(inflater&&) noexcept = default;

std::size_t inflater::memory() const noexcept { return s_ ? s_->cs.allocated : 0; }

boost::system::error_code inflater::decompress(std::span<const std::uint8_t> payload,
                                               std::size_t max_size, std::string& out) {
  if (s_->failed) return s_->failed;
  if (payload.empty()) return {};
  z_stream& z = s_->cs.z;
  const std::size_t start = out.size();
  // Output may grow to one byte past the limit: that byte proves the message is too big.
  const std::size_t cap = max_size == 0
                              ? std::numeric_limits<std::size_t>::max()
                              : start + std::min(max_size, out.max_size() - start - 1) + 1;
  const auto fail = [&](error e) {
    out.resize(start);
    s_->failed = e;
    return s_->failed;
  };

  // `out` is [start, valid) inflated bytes, then the room zlib is writing into. The room is only
  // grown when full and cut off at the end: Z_BLOCK returns at every block boundary, and a peer
  // sending many tiny blocks must not make each return zero-fill a fresh chunk.
  std::size_t valid = start;
  z.avail_out = 0;
  bool stream_end = false;
  // The payload, then the tail the sender removed.
  std::span<const std::uint8_t> input = payload;
  for (int segment = 0; segment < 2 && !stream_end; ++segment) {
    if (segment == 1) input = sync_tail;
    while (!input.empty() && !stream_end) {
      const std::size_t piece = std::min(input.size(), max_piece);
      z.next_in = const_cast<Bytef*>(input.data());
      z.avail_in = static_cast<uInt>(piece);
      for (;;) {
        if (z.avail_out == 0) {
          const std::size_t room =
              std::min(grow(out, std::min(output_step, cap - valid), cap), std::size_t{UINT_MAX});
          out.resize(valid + room);
          z.next_out = reinterpret_cast<Bytef*>(out.data() + valid);
          z.avail_out = static_cast<uInt>(room);
        }
        // Z_BLOCK stops at block boundaries, so data_type tells whether the message ends on one.
        const int rc = inflate(&z, Z_BLOCK);
        valid = out.size() - z.avail_out;
        if (max_size != 0 && valid - start > max_size) return fail(error::message_too_big);
        if (rc == Z_STREAM_END) {
          stream_end = true;
          break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) return fail(error::inflate_failed);
        if (rc == Z_BUF_ERROR && z.avail_in != 0 && z.avail_out != 0) {
          return fail(error::inflate_failed);  // no progress with input and room: cannot happen
        }
        if (z.avail_in == 0 && z.avail_out != 0) break;  // piece consumed, output all out
      }
      input = input.subspan(piece - z.avail_in);
    }
  }
  out.resize(valid);

  if (stream_end) {
    // A final block (RFC 7692 7.2.3.4): what follows it in the payload is ignored, and the next
    // message starts a new stream. The window is carried over in case the peer kept it.
    std::vector<Bytef> window;
    uInt len = 0;
    if (!s_->no_context_takeover) {
      window.resize(std::size_t{1} << max_window_bits);
      len = static_cast<uInt>(window.size());
      if (inflateGetDictionary(&z, window.data(), &len) != Z_OK) len = 0;
    }
    inflateReset(&z);
    if (len != 0) inflateSetDictionary(&z, window.data(), len);
  } else if ((z.data_type & 128) == 0) {
    // After the tail inflate must sit at a block boundary; otherwise the payload was cut short
    // or garbled and the tail was read as part of a block.
    return fail(error::inflate_failed);
  }
  if (s_->no_context_takeover) inflateReset(&z);
  return {};
}

}  // namespace h2ws::ws
