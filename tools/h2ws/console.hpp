// stdout of the client: received messages, and the prompt when a person is typing.
#pragma once

#include <h2ws/message.hpp>

#include <mutex>

namespace h2ws::cli {

/// Serialises what the stdin thread (prompt) and the io thread (messages) write to stdout.
class console {
 public:
  /// How binary messages are written: as they are, as one line of base64, or (for a
  /// terminal, which raw bytes would garble) marked "[binary, N bytes, base64] ...".
  enum class binary_output { raw, base64, marked };

  /// `interactive`: stdin is a terminal, so received messages are marked "< text" as in a
  /// chat. `prompt`: stdout is a terminal too, so a "> " prompt is shown and kept visible.
  console(bool interactive, bool prompt, binary_output binary = binary_output::raw)
      : interactive_(interactive), prompt_(prompt), binary_(binary) {}

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
  const binary_output binary_;
  bool prompt_shown_ = false;
};

}  // namespace h2ws::cli
