// One object of type State per thread, made at its first use and destroyed at the thread's
// exit, that the hot path reaches through one trivially destructible thread_local (no
// initialisation guard). Once the thread is exiting (its State destroyed, or being
// destroyed), get() returns null, so that whatever is released late (a spare freed by
// another thread_local's destructor) is freed instead of kept. The per-thread pools use it.
#pragma once

namespace h2ws::ws {

template <class State>
class thread_state {
 public:
  /// This thread's State, made now if need be; null once the thread is exiting.
  static State* get() noexcept {
    if (current_ || gone_) return current_;
    thread_local owner o;
    current_ = &o.state;
    return current_;
  }
  /// This thread's State if it was made already (and is not gone); never makes it.
  static State* existing() noexcept { return current_; }

 private:
  struct owner {
    State state;
    ~owner() {  // runs before `state` is destroyed
      current_ = nullptr;
      gone_ = true;
    }
  };
  static inline thread_local State* current_ = nullptr;
  static inline thread_local bool gone_ = false;
};

}  // namespace h2ws::ws
