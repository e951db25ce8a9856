// Metrics of the Kafka runtime, declared once. Updated by the consumer thread.
// Issue 8 (observability) adds lag from the statistics JSON here.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>

#include "daemon/processor.h"

namespace ingestd {

// The bounds of ingestd_end_to_end_latency_seconds.
[[nodiscard]] prometheus::Histogram::BucketBoundaries EndToEndLatencyBuckets();

struct RuntimeProbe {
  explicit RuntimeProbe(prometheus::Registry& registry);

  prometheus::Gauge& inflight_records;   // consumed, not yet committed
  prometheus::Gauge& inflight_bytes;     // held by in-flight records (InflightMemory)
  prometheus::Gauge& paused_partitions;  // paused for backpressure or drain
  prometheus::Counter& backpressure_pauses;
  prometheus::Gauge& assigned_partitions;
  prometheus::Counter& rebalances;
  prometheus::Counter& commits;
  prometheus::Counter& commit_failures;
  prometheus::Gauge& commit_waiting_for_index;  // 1 while a due commit waits for the CommitGate
  prometheus::Counter& delivery_errors;
  prometheus::Counter& dead_letter_values_dropped;
  prometheus::Family<prometheus::Histogram>& end_to_end_seconds;  // by output
  prometheus::Histogram* end_to_end_by_output[3];                 // indexed by Output

  // A record's time from consumption to the acknowledgement of its output.
  void ObserveEndToEnd(Output output, std::chrono::steady_clock::duration d) {
    end_to_end_by_output[static_cast<int>(output)]->Observe(std::chrono::duration<double>(d).count());
  }
};

}  // namespace ingestd
