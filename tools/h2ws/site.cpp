#include "site.hpp"

#include <cctype>
#include <fstream>
#include <iterator>
#include <memory>
#include <string_view>

namespace h2ws::cli {

namespace fs = std::filesystem;

namespace {

http_response plain(unsigned status, std::string body) {
  http_response out;
  out.status = status;
  out.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  out.body = std::move(body);
  return out;
}

std::string content_type(const fs::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

// "%2e" and friends, decoded; nullopt-like empty result with `ok` false on bad escapes.
std::string percent_decoded(std::string_view s, bool& ok) {
  std::string out;
  ok = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      ok = false;
      return {};
    }
    out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

constexpr std::string_view page = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>h2ws</title>
<style>body{font:15px system-ui,sans-serif;max-width:40em;margin:2em auto}#log{border:1px solid #ccc;
padding:.5em;min-height:8em;white-space:pre-wrap;font-family:monospace}</style></head>
<body><h1>h2ws echo</h1>
<p>Websocket: <b id="state">connecting</b> over <b id="version">?</b></p>
<form id="f"><input id="line" size="40" autocomplete="off" placeholder="type, press Enter">
<button>send</button></form><div id="log"></div>
<script>
const log = (t) => { document.getElementById('log').textContent += t + '\n'; };
const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/.h2ws/info';
const ws = new WebSocket(url);
let first = true;
ws.onopen = () => { document.getElementById('state').textContent = 'open'; };
ws.onclose = (e) => { document.getElementById('state').textContent = 'closed (' + e.code + ')'; };
ws.onmessage = (e) => {
  if (first) { first = false; document.getElementById('version').textContent = e.data; return; }
  log('< ' + e.data);
};
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  const line = document.getElementById('line');
  ws.send(line.value); log('> ' + line.value); line.value = '';
};
</script></body></html>
)";

}  // namespace

http_response serve_file(const fs::path& root, const http_request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto out = plain(405, "h2ws: only GET and HEAD\n");
    out.headers.emplace_back("allow", "GET, HEAD");
    return out;
  }
  bool ok = false;
  const auto target = std::string_view(request.path).substr(0, request.path.find('?'));
  const auto decoded = percent_decoded(target, ok);
  if (!ok || decoded.empty() || decoded.front() != '/' || decoded.find('\0') != std::string::npos)
    return plain(400, "h2ws: bad path\n");
  std::error_code ec;
  const auto base = fs::canonical(root, ec);
  if (ec) return plain(404, "h2ws: not found\n");
  auto file = fs::weakly_canonical(base / fs::path(decoded).relative_path(), ec);
  // Nothing outside the root: "..", symbolic links out of it.
  const auto rel = file.lexically_relative(base);
  if (ec || rel.empty() || *rel.begin() == "..") return plain(404, "h2ws: not found\n");
  if (fs::is_directory(file, ec)) file /= "index.html";
  std::ifstream in(file, std::ios::binary);
  if (!in || !fs::is_regular_file(file, ec)) return plain(404, "h2ws: not found\n");
  http_response out;
  out.status = 200;
  out.headers.emplace_back("content-type", content_type(file));
  out.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return out;
}

http_response builtin_page(const http_request& request) {
  const auto target = std::string_view(request.path).substr(0, request.path.find('?'));
  if (target != "/") return plain(404, "h2ws: not found\n");
  if (request.method != "GET" && request.method != "HEAD") return plain(405, "h2ws: GET only\n");
  http_response out;
  out.status = 200;
  out.headers.emplace_back("content-type", "text/html; charset=utf-8");
  out.body = std::string(page);
  return out;
}

void info_websocket(websocket ws) {
  auto shared = std::make_shared<websocket>(std::move(ws));
  const char* version = shared->http_version() == 2 ? "HTTP/2" : "HTTP/1.1";
  shared->send(message::text(version), [shared](boost::system::error_code) {});
  echo(std::move(*shared));
}

}  // namespace h2ws::cli
