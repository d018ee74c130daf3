// Micro-benchmarks of the RFC 6455 codec (src/ws): masking, UTF-8 validation, frame parsing and
// serialisation. Pure CPU work, no I/O: the ceiling each layer above can reach.
#include "ws/mask.hpp"
#include "ws/permessage_deflate.hpp"
#include "ws/reader.hpp"
#include "ws/utf8_validator.hpp"
#include "ws/writer.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>

namespace {

using namespace h2ws::ws;

std::vector<std::uint8_t> random_bytes(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  std::uint32_t x = 0x12345678u;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return out;
}

void sizes_mask(benchmark::internal::Benchmark* b) {
  for (std::int64_t s : {16, 125, 1024, 16 * 1024, 64 * 1024, 1024 * 1024}) b->Arg(s);
}

void sizes_frames(benchmark::internal::Benchmark* b) {
  for (std::int64_t s : {16, 1024, 64 * 1024}) b->Arg(s);
}

// --- masking ---------------------------------------------------------------------------------

void BM_Mask(benchmark::State& state) {
  auto data = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    apply_mask(data, 0x37fa213du);
    benchmark::DoNotOptimize(data.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Mask)->Apply(sizes_mask);

// A chunk that starts one byte into the buffer and three bytes into the frame: the case of a
// frame unmasked piece by piece as TCP or HTTP/2 DATA delivers it.
void BM_MaskUnaligned(benchmark::State& state) {
  auto data = random_bytes(static_cast<std::size_t>(state.range(0)) + 1);
  std::span<std::uint8_t> chunk(data.data() + 1, data.size() - 1);
  for (auto _ : state) {
    apply_mask(chunk, 0x37fa213du, 3);
    benchmark::DoNotOptimize(data.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MaskUnaligned)->Apply(sizes_mask);

// --- UTF-8 validation ------------------------------------------------------------------------

std::vector<std::uint8_t> text_of(std::string_view unit, std::size_t size) {
  std::vector<std::uint8_t> out;
  out.reserve(size + unit.size());
  while (out.size() + unit.size() <= size) out.insert(out.end(), unit.begin(), unit.end());
  while (out.size() < size) out.push_back('x');  // pad with ASCII, still valid
  return out;
}

void BM_Utf8Ascii(benchmark::State& state) {
  auto text = text_of("The quick brown fox jumps over the lazy dog. ",
                      static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(text));
  if (!is_valid_utf8(text)) state.SkipWithError("test text is not valid UTF-8");
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Utf8Ascii)->Apply(sizes_mask);

// Two-, three- and four-byte sequences mixed with ASCII (Latin, Greek, CJK, emoji).
void BM_Utf8Multibyte(benchmark::State& state) {
  auto text = text_of(
      "h\xc3\xa9llo \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xe6\x97\xa5\xe6\x9c\xac "
      "\xe2\x82\xac \xf0\x9f\x98\x80 ",
      static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(text));
  if (!is_valid_utf8(text)) state.SkipWithError("test text is not valid UTF-8");
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Utf8Multibyte)->Apply(sizes_mask);

// --- frames ----------------------------------------------------------------------------------

// Enough frames of `size` bytes to make about 64 KiB of input per iteration.
std::size_t frames_per_batch(std::size_t size) {
  return std::max<std::size_t>(1, 64 * 1024 / (size + 14));
}

// `masked`: what a server reads (client frames); otherwise what a client reads.
void parse(benchmark::State& state, bool masked, opcode op) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto per_batch = frames_per_batch(size);
  std::vector<std::uint8_t> payload =
      op == opcode::text ? text_of("plain ascii text ", size) : random_bytes(size);
  std::vector<std::uint8_t> wire;
  for (std::size_t i = 0; i < per_batch; ++i)
    write_frame(wire, op, true, payload,
                masked ? std::optional<std::uint32_t>(0x01020304u + static_cast<std::uint32_t>(i))
                       : std::nullopt);
  reader r(masked ? role::server : role::client);
  std::size_t frames = 0;
  for (auto _ : state) {
    if (!r.feed(wire)) {
      state.SkipWithError(r.error().message().c_str());
      break;
    }
    while (auto ev = r.next()) {
      benchmark::DoNotOptimize(std::get<message_event>(*ev).payload.data());
      ++frames;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));  // items = frames
  state.SetBytesProcessed(static_cast<std::int64_t>(frames * size));
}

void BM_ParseBinaryMasked(benchmark::State& state) { parse(state, true, opcode::binary); }
void BM_ParseBinaryUnmasked(benchmark::State& state) { parse(state, false, opcode::binary); }
void BM_ParseTextUnmasked(benchmark::State& state) { parse(state, false, opcode::text); }
BENCHMARK(BM_ParseBinaryMasked)->Apply(sizes_frames);
BENCHMARK(BM_ParseBinaryUnmasked)->Apply(sizes_frames);
BENCHMARK(BM_ParseTextUnmasked)->Apply(sizes_frames);

void serialize(benchmark::State& state, bool masked) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto payload = random_bytes(size);
  std::vector<std::uint8_t> out;
  out.reserve(size + max_frame_header_size);
  std::uint32_t key = 0x9abcdef0u;
  for (auto _ : state) {
    out.clear();
    write_frame(out, opcode::binary, true, payload,
                masked ? std::optional<std::uint32_t>(key++) : std::nullopt);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());  // items = frames
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_SerializeMasked(benchmark::State& state) { serialize(state, true); }
void BM_SerializeUnmasked(benchmark::State& state) { serialize(state, false); }
BENCHMARK(BM_SerializeMasked)->Apply(sizes_frames);
BENCHMARK(BM_SerializeUnmasked)->Apply(sizes_frames);

// The header alone: what a sender pays per frame when the payload goes out as its own buffer.
void BM_SerializeHeaderOnly(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  std::uint8_t out[max_frame_header_size];
  std::uint32_t key = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(write_frame_header(out, opcode::binary, true, size, key++));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeHeaderOnly)->Apply(sizes_frames);

// permessage-deflate on chatty JSON text, context takeover on: MB/s of input
// and the bytes on the wire relative to uncompressed ("wire_ratio").
std::vector<std::string> json_messages(std::size_t size) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    std::string m;
    for (int n = 0; m.size() < size; ++n)
      m += "{\"event\":\"price\",\"symbol\":\"SYM" + std::to_string((i * 7 + n) % 40) +
           "\",\"bid\":" + std::to_string(1000 + (i * 13 + n * 7) % 997) +
           ",\"seq\":" + std::to_string(i * 1000 + n) + "}";
    m.resize(size);
    out.push_back(std::move(m));
  }
  return out;
}

void BM_DeflateJson(benchmark::State& state) {
  auto messages = json_messages(static_cast<std::size_t>(state.range(0)));
  h2ws::ws::deflater deflater(role::client, {});
  std::vector<std::uint8_t> out;
  std::size_t in_bytes = 0, out_bytes = 0, i = 0;
  for (auto _ : state) {
    const auto& m = messages[i++ % messages.size()];
    out.clear();
    deflater.compress({reinterpret_cast<const std::uint8_t*>(m.data()), m.size()}, out);
    in_bytes += m.size();
    out_bytes += out.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(in_bytes));
  state.counters["wire_ratio"] = in_bytes ? static_cast<double>(out_bytes) / in_bytes : 0;
}
BENCHMARK(BM_DeflateJson)->Arg(64)->Arg(1024)->Arg(16 * 1024);

void BM_InflateJson(benchmark::State& state) {
  auto messages = json_messages(static_cast<std::size_t>(state.range(0)));
  // Compress a long run once; inflate it in order (context takeover needs the order).
  h2ws::ws::deflater deflater(role::server, {});
  std::vector<std::vector<std::uint8_t>> compressed;
  for (int round = 0; round < 16; ++round)
    for (const auto& m : messages) {
      compressed.emplace_back();
      deflater.compress({reinterpret_cast<const std::uint8_t*>(m.data()), m.size()},
                        compressed.back());
    }
  std::size_t bytes = 0;
  for (auto _ : state) {
    h2ws::ws::inflater inflater(role::client, {});
    std::string out;
    for (const auto& c : compressed) {
      out.clear();
      if (inflater.decompress(c, 0, out)) state.SkipWithError("inflate failed");
      bytes += out.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_InflateJson)->Arg(64)->Arg(1024)->Arg(16 * 1024);

}  // namespace

BENCHMARK_MAIN();
