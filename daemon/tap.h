// GET /tap?n=10: the last n outputs, like `vector tap`, for looking at live events
// without a Kafka client. Off unless `admin.tap: true`: when off, Record() is one
// relaxed atomic load.
//
// Threading: Record() is called by worker threads, Last() by the admin server; a
// mutex guards the ring.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/processor.h"

namespace ingestd {

class Tap {
 public:
  static constexpr size_t kCapacity = 100;

  explicit Tap(bool enabled, size_t capacity = kCapacity);

  [[nodiscard]] bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // Keeps `processed` as one JSON line: {"output":"enriched","key":...,"event":{...}}, or for a
  // dead letter {"output":"dead_letter","stage":...,"reason":...,"message":...} (not its bytes).
  void Record(const Processed& processed);

  // The last `n` lines (at most the capacity), oldest first.
  [[nodiscard]] std::vector<std::string> Last(size_t n) const;

 private:
  const std::atomic<bool> enabled_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<std::string> lines_;  // guarded by mu_
};

// Parses the `n` of a /tap query string ("n=10&..."): `def` when absent, 0 when invalid.
[[nodiscard]] size_t TapCount(const std::string& query, size_t def = 10);

}  // namespace ingestd
