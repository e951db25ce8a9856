// Metrics taken from librdkafka's statistics JSON (`statistics.interval.ms`, the
// stats callback): consumer lag per partition and in total, producer queue depth.
// (Rebalances and assigned partitions are counted where they happen, by the
// runtime's rebalance callback: RuntimeProbe.) One probe serves the consumer and the producer
// handle; each JSON document says which client it describes ("type").
//
// Threading: Update() is called from the librdkafka poll threads of both clients
// (the stats callback); a mutex serialises them. The metrics themselves are read by
// the admin server's /metrics handler (prometheus-cpp is thread-safe).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace simdjson::dom {
class element;
}

namespace ingestd {

// What one statistics document said, for callers and tests.
struct KafkaStatsSummary {
  bool ok = false;
  std::string type;       // "consumer" or "producer"
  int64_t total_lag = 0;  // consumer: sum over partitions with a known lag
  int partitions_with_lag = 0;
  // consumer: records of the assigned partitions not yet handed to the application:
  // from the fetch position (next_offset, else the committed offset) to the end
  // (ls_offset, the last stable offset, else hi_offset), plus those fetched and
  // queued (fetchq_cnt). Aborted records and transaction markers the fetcher skipped
  // are behind the position, so they never count.
  int64_t waiting = 0;
};

class KafkaStatsProbe {
 public:
  explicit KafkaStatsProbe(prometheus::Registry& registry);
  ~KafkaStatsProbe();

  // Parses one statistics document and updates the metrics. A document that does
  // not parse is counted and otherwise ignored (metrics keep their last values).
  KafkaStatsSummary Update(std::string_view json);

 private:
  struct Parser;  // simdjson's parser, kept to reuse its buffers

  void UpdateConsumer(const simdjson::dom::element& root, KafkaStatsSummary& summary);  // mu_ held

  std::mutex mu_;
  std::unique_ptr<Parser> parser_;                                     // guarded by mu_
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> lag_;  // guarded by mu_

  prometheus::Family<prometheus::Gauge>& partition_lag_family_;
  prometheus::Gauge& consumer_lag_;
  prometheus::Gauge& consumer_waiting_;
  prometheus::Gauge& producer_queue_messages_;
  prometheus::Gauge& producer_queue_bytes_;
  prometheus::Counter& stats_errors_;
};

}  // namespace ingestd
