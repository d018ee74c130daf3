// What `h2ws serve` answers to plain HTTP requests: files from --root, or a small built-in
// page that opens a websocket back to the server.
#pragma once

#include <h2ws/http.hpp>
#include <h2ws/server.hpp>

#include <filesystem>
#include <string>

namespace h2ws::cli {

/// The path of the built-in page's websocket: it first says which HTTP version carried
/// it ("HTTP/2" or "HTTP/1.1"), then echoes.
inline constexpr const char* info_path = "/.h2ws/info";

/// GET/HEAD of files under `root` (index.html for a directory; nothing outside `root`,
/// symbolic links included); 404 otherwise, 405 for other methods.
http_response serve_file(const std::filesystem::path& root, const http_request& request);

/// The built-in page at `/` (404 elsewhere).
http_response builtin_page(const http_request& request);

/// The handler of info_path.
void info_websocket(websocket ws);

}  // namespace h2ws::cli
