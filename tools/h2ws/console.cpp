#include "console.hpp"

#include "encoding.hpp"

#include <cstdio>

namespace h2ws::cli {

void console::show_prompt() {
  if (!prompt_) return;
  std::lock_guard lock(mutex_);
  std::fputs("> ", stdout);
  std::fflush(stdout);
  prompt_shown_ = true;
}

void console::hide_prompt(bool end_of_input) {
  if (!prompt_) return;
  std::lock_guard lock(mutex_);
  prompt_shown_ = false;
  if (end_of_input) {
    // ^D leaves the cursor after the prompt; end that line so the shell's starts clean.
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
}

void console::print(const h2ws::message& m) {
  std::lock_guard lock(mutex_);
  if (prompt_shown_) {
    // Erase the prompt line (and whatever was typed so far: the terminal still holds it
    // in its line buffer), print the message, then show the prompt again.
    std::fputs("\r\x1b[K", stdout);
  }
  if (interactive_) std::fputs("< ", stdout);
  if (m.is_text() || binary_ == binary_output::raw) {
    // fwrite, not fputs: a binary message may contain NUL bytes.
    std::fwrite(m.text().data(), 1, m.size(), stdout);
  } else {
    if (binary_ == binary_output::marked)
      std::fprintf(stdout, "[binary, %zu bytes, base64] ", m.size());
    const auto encoded = base64_encode(m.text());
    std::fwrite(encoded.data(), 1, encoded.size(), stdout);
  }
  std::fputc('\n', stdout);
  if (prompt_shown_) std::fputs("> ", stdout);
  std::fflush(stdout);
}

}  // namespace h2ws::cli
