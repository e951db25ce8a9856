// The calling thread's CPU time, for benchmarks that report CPU seconds on a shared,
// noisy machine (wall time counts other jobs' time slices too).
#pragma once

#include <ctime>

namespace ingestd::bench {

inline double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace ingestd::bench
