// Liveness that tells the truth: the process is stuck when work is pending and
// nothing has moved for `stall_timeout` (a worker looping on one record, a
// deadlocked consumer thread, a producer that never acknowledges, a consumer that
// stopped fetching while records wait in its partitions). An idle daemon (nothing
// pending) is healthy however long it waits for input.
//
// The watchdog samples two things when asked: a progress count that grows whenever
// the processing loop moves (records taken in, routed out or committed), and the
// pending work: records in flight, and records waiting unconsumed in the assigned
// partitions (librdkafka statistics). Sampling at the /healthz rate is enough:
// progress is seen as "the count changed since the last sample".
//
// Threading: Check() takes a lock; call it from any thread (the admin server's).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "stages/clock.h"

namespace ingestd {

class ProgressWatchdog {
 public:
  struct Pending {
    int64_t in_flight = 0;  // consumed and not yet committed
    int64_t waiting = 0;    // in the assigned partitions, not yet consumed
  };
  struct Status {
    bool stuck = false;
    std::string reason;  // why, for the /healthz body; empty when healthy
  };

  ProgressWatchdog(const Clock& clock, std::chrono::milliseconds stall_timeout, std::function<uint64_t()> progress,
                   std::function<Pending()> pending);

  // Samples progress and pending work and says whether the loop is stuck.
  [[nodiscard]] Status Check();

 private:
  const Clock& clock_;
  const std::chrono::milliseconds stall_timeout_;
  const std::function<uint64_t()> progress_;
  const std::function<Pending()> pending_;

  std::mutex mu_;
  bool sampled_ = false;                                // guarded by mu_
  uint64_t last_progress_ = 0;                          // guarded by mu_
  int64_t last_pending_ = 0;                            // guarded by mu_
  std::chrono::system_clock::time_point last_moved_{};  // guarded by mu_
};

}  // namespace ingestd
