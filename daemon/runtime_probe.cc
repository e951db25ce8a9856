#include "daemon/runtime_probe.h"

namespace ingestd {
namespace {

prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}
prometheus::Counter& Counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

RuntimeProbe::RuntimeProbe(prometheus::Registry& r)
    : inflight_records(Gauge(r, "ingestd_inflight_records",
                             "Records consumed and not yet committed (in a worker, waiting for the broker's "
                             "acknowledgement, or acknowledged and not yet committed).")),
      inflight_bytes(Gauge(r, "ingestd_inflight_bytes",
                           "Bytes held by in-flight records: input key, value and headers, the encoded output, "
                           "bookkeeping; records of revoked partitions still in the producer included.")),
      paused_partitions(Gauge(r, "ingestd_paused_partitions", "Input partitions paused for backpressure or drain.")),
      backpressure_pauses(Counter(r, "ingestd_backpressure_pauses_total",
                                  "Times the input partitions were paused because the in-flight bound stayed "
                                  "reached for runtime.pause_after_ms (shorter stalls only hold back).")),
      assigned_partitions(Gauge(r, "ingestd_assigned_partitions", "Input partitions assigned to this consumer.")),
      rebalances(Counter(r, "ingestd_rebalances_total", "Consumer group rebalances (assignments and revocations).")),
      commits(Counter(r, "ingestd_offset_commits_total", "Offset commits acknowledged by the group coordinator.")),
      commit_failures(Counter(r, "ingestd_offset_commit_failures_total", "Offset commits that failed.")),
      commit_waiting_for_index(Gauge(r, "ingestd_offset_commit_waiting_for_index",
                                     "1 while a due offset commit waits for the dedupe index entries of the records "
                                     "it covers to be delivered to the shared index topic, else 0.")),
      delivery_errors(Counter(r, "ingestd_delivery_errors_total", "Produced records the broker did not accept.")),
      dead_letter_values_dropped(Counter(r, "ingestd_dead_letter_values_dropped_total",
                                         "Dead letters sent without their value because it exceeded "
                                         "message.max.bytes.")),
      end_to_end_seconds(prometheus::BuildHistogram()
                             .Name("ingestd_end_to_end_latency_seconds")
                             .Help("From a record's consumption to the broker's acknowledgement of its output, by "
                                   "output.")
                             .Register(r)) {
  const auto buckets = EndToEndLatencyBuckets();
  for (Output o : {Output::kEnriched, Output::kDuplicates, Output::kDeadLetter}) {
    end_to_end_by_output[static_cast<int>(o)] = &end_to_end_seconds.Add({{"output", OutputName(o)}}, buckets);
  }
}

prometheus::Histogram::BucketBoundaries EndToEndLatencyBuckets() {
  // 1 ms to 75 s, six bounds a decade (1, 1.5, 2, 3, 5, 7.5): batching and acks take
  // milliseconds, backpressure seconds. Doubling bounds (until session 11) put 17 and
  // 31 ms in one bucket, so histogram_quantile's p95 read 30 ms for records that took 17.
  prometheus::Histogram::BucketBoundaries buckets;
  for (double decade = 0.001; decade < 100; decade *= 10) {
    for (double step : {1.0, 1.5, 2.0, 3.0, 5.0, 7.5}) buckets.push_back(decade * step);
  }
  return buckets;
}

}  // namespace ingestd
