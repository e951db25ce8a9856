#include "daemon/progress_watchdog.h"

#include <algorithm>

namespace ingestd {

ProgressWatchdog::ProgressWatchdog(const Clock& clock, std::chrono::milliseconds stall_timeout,
                                   std::function<uint64_t()> progress, std::function<Pending()> pending)
    : clock_(clock), stall_timeout_(stall_timeout), progress_(std::move(progress)), pending_(std::move(pending)) {}

ProgressWatchdog::Status ProgressWatchdog::Check() {
  const uint64_t progress = progress_();
  const Pending work = pending_();
  const int64_t pending = std::max<int64_t>(work.in_flight, 0) + std::max<int64_t>(work.waiting, 0);
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
  std::string reason = "stuck: no progress for " + std::to_string(secs) + " s with " +
                       std::to_string(std::max<int64_t>(work.in_flight, 0)) + " records in flight";
  if (work.waiting > 0) reason += " and " + std::to_string(work.waiting) + " waiting in the assigned partitions";
  return {true, std::move(reason)};
}

}  // namespace ingestd
