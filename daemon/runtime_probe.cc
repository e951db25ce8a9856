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
      inflight_bytes(Gauge(r, "ingestd_inflight_bytes", "Bytes of the input values of in-flight records.")),
      paused_partitions(Gauge(r, "ingestd_paused_partitions", "Input partitions paused for backpressure or drain.")),
      assigned_partitions(Gauge(r, "ingestd_assigned_partitions", "Input partitions assigned to this consumer.")),
      rebalances(Counter(r, "ingestd_rebalances_total", "Consumer group rebalances (assignments and revocations).")),
      commits(Counter(r, "ingestd_offset_commits_total", "Offset commits acknowledged by the group coordinator.")),
      commit_failures(Counter(r, "ingestd_offset_commit_failures_total", "Offset commits that failed.")),
      delivery_errors(Counter(r, "ingestd_delivery_errors_total", "Produced records the broker did not accept.")),
      dead_letter_values_dropped(Counter(r, "ingestd_dead_letter_values_dropped_total",
                                         "Dead letters sent without their value because it exceeded "
                                         "message.max.bytes.")) {}

}  // namespace ingestd
