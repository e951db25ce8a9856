#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>

namespace ingestd {

// Ends the process (exit 1) once `after` has passed, from a thread of its own: neither
// a slow admin handler on the control thread nor a hung client close can delay it.
// Arm may be called from any thread; only the first call counts. `last_words` (the
// forced summary line, with "grace_period") runs on that thread just before the exit.
class ExitWatchdog {
 public:
  explicit ExitWatchdog(std::function<void(std::string_view why)> last_words);

  void Arm(std::chrono::milliseconds after);

 private:
  std::once_flag armed_;
  const std::function<void(std::string_view)> last_words_;
};

}  // namespace ingestd
