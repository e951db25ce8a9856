#include "daemon/exit_watchdog.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

namespace ingestd {

ExitWatchdog::ExitWatchdog(std::function<void(std::string_view)> last_words) : last_words_(std::move(last_words)) {}

void ExitWatchdog::Arm(std::chrono::milliseconds after) {
  std::call_once(armed_, [this, after] {
    std::thread([deadline = std::chrono::steady_clock::now() + after, last_words = last_words_] {
      std::this_thread::sleep_until(deadline);
      spdlog::critical("shutdown grace period passed; exiting now");
      last_words("grace_period");
      std::_Exit(1);
    }).detach();
  });
}

}  // namespace ingestd
