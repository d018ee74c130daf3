// stdout of the client: received messages, and the prompt when a person is typing.
#pragma once

#include <h2ws/message.hpp>

#include <mutex>

namespace h2ws::cli {

/// Serialises what the stdin thread (prompt) and the io thread (messages) write to stdout.
class console {
 public:
  /// `interactive`: stdin is a terminal, so received messages are marked "< text" as in a
  /// chat. `prompt`: stdout is a terminal too, so a "> " prompt is shown and kept visible.
  console(bool interactive, bool prompt) : interactive_(interactive), prompt_(prompt) {}

  /// Shows the prompt: the stdin thread is about to wait for a line.
  void show_prompt();
  /// The stdin thread read a line (or the end of input): the prompt is gone.
  void hide_prompt(bool end_of_input);
  /// Writes one received message followed by '\n', and flushes.
  void print(const h2ws::message& m);

  bool interactive() const noexcept { return interactive_; }

 private:
  std::mutex mutex_;
  const bool interactive_;
  const bool prompt_;
  bool prompt_shown_ = false;
};

}  // namespace h2ws::cli
