#include "daemon/progress_watchdog.h"

namespace ingestd {

ProgressWatchdog::ProgressWatchdog(const Clock& clock, std::chrono::milliseconds stall_timeout,
                                   std::function<uint64_t()> progress, std::function<int64_t()> pending)
    : clock_(clock), stall_timeout_(stall_timeout), progress_(std::move(progress)), pending_(std::move(pending)) {}

ProgressWatchdog::Status ProgressWatchdog::Check() {
  const uint64_t progress = progress_();
  const int64_t pending = pending_();
  const auto now = clock_.Now();
  std::lock_guard lock(mu_);
  // Idle is not stuck: the stall clock runs only while work waits, from the first
  // sample that saw it waiting.
  const bool was_idle = last_pending_ <= 0;
  last_pending_ = pending;
  if (!sampled_ || progress != last_progress_ || pending <= 0 || was_idle) {
    sampled_ = true;
    last_progress_ = progress;
    last_moved_ = now;
    return {};
  }
  const auto still = now - last_moved_;
  if (still < stall_timeout_) return {};
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(still).count();
  return {true, "stuck: no progress for " + std::to_string(secs) + " s with " + std::to_string(pending) +
                    " records in flight"};
}

}  // namespace ingestd
