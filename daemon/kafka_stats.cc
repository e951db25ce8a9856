#include "daemon/kafka_stats.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

namespace ingestd {

struct KafkaStatsProbe::Parser {
  simdjson::dom::parser parser;
};

namespace {

int64_t IntOr(simdjson::dom::element e, std::string_view key, int64_t def) {
  int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return def;
  return v;
}

}  // namespace

KafkaStatsProbe::KafkaStatsProbe(prometheus::Registry& registry)
    : parser_(std::make_unique<Parser>()),
      partition_lag_family_(prometheus::BuildGauge()
                                .Name("ingestd_kafka_partition_lag_records")
                                .Help("Consumer lag of one assigned input partition: high watermark minus committed "
                                      "offset (stored offset until the first commit).")
                                .Register(registry)),
      consumer_lag_(prometheus::BuildGauge()
                        .Name("ingestd_kafka_consumer_lag_records")
                        .Help("Consumer lag summed over this member's assigned partitions.")
                        .Register(registry)
                        .Add({})),
      consumer_waiting_(prometheus::BuildGauge()
                            .Name("ingestd_kafka_consumer_waiting_records")
                            .Help("Records of this member's assigned partitions not yet handed to ingestd: fetch "
                                  "position to last stable offset, plus fetched and queued.")
                            .Register(registry)
                            .Add({})),
      producer_queue_messages_(prometheus::BuildGauge()
                                   .Name("ingestd_kafka_producer_queue_messages")
                                   .Help("Messages waiting in the producer's queues (not yet acknowledged).")
                                   .Register(registry)
                                   .Add({})),
      producer_queue_bytes_(prometheus::BuildGauge()
                                .Name("ingestd_kafka_producer_queue_bytes")
                                .Help("Bytes of messages waiting in the producer's queues.")
                                .Register(registry)
                                .Add({})),
      stats_errors_(prometheus::BuildCounter()
                        .Name("ingestd_kafka_stats_errors_total")
                        .Help("librdkafka statistics documents that could not be parsed.")
                        .Register(registry)
                        .Add({})) {}

KafkaStatsProbe::~KafkaStatsProbe() = default;

KafkaStatsSummary KafkaStatsProbe::Update(std::string_view json) {
  KafkaStatsSummary summary;
  std::lock_guard lock(mu_);
  simdjson::dom::element root;
  if (parser_->parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    stats_errors_.Increment();
    return summary;
  }
  std::string_view type;
  if (root["type"].get_string().get(type) != simdjson::SUCCESS) {
    stats_errors_.Increment();
    return summary;
  }
  summary.type = std::string(type);
  if (type == "producer") {
    producer_queue_messages_.Set(static_cast<double>(IntOr(root, "msg_cnt", 0)));
    producer_queue_bytes_.Set(static_cast<double>(IntOr(root, "msg_size", 0)));
  } else if (type == "consumer") {
    UpdateConsumer(root, summary);
  }
  summary.ok = true;
  return summary;
}

void KafkaStatsProbe::UpdateConsumer(const simdjson::dom::element& root, KafkaStatsSummary& summary) {
  // Only partitions this member consumes: the application asked for them
  // (`desired`) and librdkafka knows a lag. Partitions that went away lose their
  // series, so a revoked partition's lag is not counted twice across the group.
  std::set<std::pair<std::string, int32_t>> seen;
  int64_t total = 0;
  simdjson::dom::object topics;
  if (root["topics"].get_object().get(topics) == simdjson::SUCCESS) {
    for (auto [topic_name, topic] : topics) {
      simdjson::dom::object partitions;
      if (topic["partitions"].get_object().get(partitions) != simdjson::SUCCESS) continue;
      for (auto [unused, p] : partitions) {
        const int64_t id = IntOr(p, "partition", -1);
        if (id < 0) continue;  // -1: librdkafka's internal unassigned partition
        bool desired = false;
        if (p["desired"].get_bool().get(desired) != simdjson::SUCCESS || !desired) continue;
        int64_t end = IntOr(p, "ls_offset", -1);
        if (end < 0) end = IntOr(p, "hi_offset", -1);
        int64_t position = IntOr(p, "next_offset", -1);
        if (position < 0) position = IntOr(p, "committed_offset", -1);
        if (end >= 0 && position >= 0) summary.waiting += std::max<int64_t>(0, end - position);
        summary.waiting += std::max<int64_t>(0, IntOr(p, "fetchq_cnt", 0));
        int64_t lag = IntOr(p, "consumer_lag", -1);
        if (lag < 0) lag = IntOr(p, "consumer_lag_stored", -1);  // nothing committed yet
        if (lag < 0) continue;
        auto key = std::make_pair(std::string(topic_name), static_cast<int32_t>(id));
        auto it = lag_.find(key);
        if (it == lag_.end()) {
          auto& g = partition_lag_family_.Add({{"topic", key.first}, {"partition", std::to_string(key.second)}});
          it = lag_.emplace(key, &g).first;
        }
        it->second->Set(static_cast<double>(lag));
        seen.insert(key);
        total += lag;
        ++summary.partitions_with_lag;
      }
    }
  }
  for (auto it = lag_.begin(); it != lag_.end();) {
    if (seen.count(it->first)) {
      ++it;
    } else {
      partition_lag_family_.Remove(it->second);
      it = lag_.erase(it);
    }
  }
  consumer_lag_.Set(static_cast<double>(total));
  consumer_waiting_.Set(static_cast<double>(summary.waiting));
  summary.total_lag = total;
}

}  // namespace ingestd
