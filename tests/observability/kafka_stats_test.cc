// daemon/kafka_stats: librdkafka statistics JSON -> lag and producer queue metrics.
#include "daemon/kafka_stats.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <prometheus/registry.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace ingestd {
namespace {

// Value of `name` with exactly these labels, if the series exists.
std::optional<double> Value(const prometheus::Registry& registry, const std::string& name,
                            const std::map<std::string, std::string>& labels = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      if (family.type == prometheus::MetricType::Counter) return m.counter.value;
      return m.gauge.value;
    }
  }
  return std::nullopt;
}

std::string ConsumerStats(const std::string& partitions, int rebalance_cnt, int assigned) {
  return R"({"type":"consumer","name":"c#1","topics":{"articles.raw":{"topic":"articles.raw","partitions":{)" +
         partitions + R"(}}},"cgrp":{"state":"up","rebalance_cnt":)" + std::to_string(rebalance_cnt) +
         R"(,"assignment_size":)" + std::to_string(assigned) + "}}";
}

std::string Partition(int id, bool desired, int lag, int lag_stored) {
  return fmt::format(R"("{0}":{{"partition":{0},"desired":{1},"consumer_lag":{2},"consumer_lag_stored":{3}}})", id,
                     desired, lag, lag_stored);
}

TEST(KafkaStatsProbeTest, ReportsLagPerAssignedPartitionAndTheirSum) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  const auto s = probe.Update(ConsumerStats(Partition(0, true, 10, 7) + "," + Partition(1, true, 5, 5) + "," +
                                                Partition(2, false, 99, 99) + "," + Partition(-1, false, -1, -1),
                                            1, 2));
  EXPECT_TRUE(s.ok);
  EXPECT_EQ(s.type, "consumer");
  EXPECT_EQ(s.total_lag, 15);
  EXPECT_EQ(Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "0"}}),
            10);
  EXPECT_EQ(Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "1"}}), 5);
  // Not desired: another member's partition (or none at all): no series.
  EXPECT_EQ(Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "2"}}),
            std::nullopt);
  EXPECT_EQ(Value(registry, "ingestd_kafka_consumer_lag_records"), 15);
}

// Records not yet handed to the application, per assigned partition: from the fetch
// position (the committed offset before the first fetch) to the last stable offset,
// plus those fetched and queued; other members' partitions and unknown positions
// count nothing.
TEST(KafkaStatsProbeTest, CountsRecordsWaitingInTheAssignedPartitions) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  const std::string partitions =
      R"("0":{"partition":0,"desired":true,"ls_offset":500,"hi_offset":510,"next_offset":380,"fetchq_cnt":20},)"
      R"("1":{"partition":1,"desired":true,"ls_offset":-1,"hi_offset":90,"next_offset":-1001,"committed_offset":60,"fetchq_cnt":0},)"
      R"("2":{"partition":2,"desired":true,"ls_offset":70,"hi_offset":70,"next_offset":70,"fetchq_cnt":0},)"
      R"("3":{"partition":3,"desired":true,"ls_offset":40,"hi_offset":40,"next_offset":-1001,"committed_offset":-1001},)"
      R"("4":{"partition":4,"desired":false,"ls_offset":900,"hi_offset":900,"next_offset":0,"fetchq_cnt":0})";
  const auto s = probe.Update(ConsumerStats(partitions, 1, 4));
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.waiting, (500 - 380) + 20 + (90 - 60));
}

TEST(KafkaStatsProbeTest, UsesStoredLagUntilTheFirstCommit) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  (void)probe.Update(ConsumerStats(Partition(3, true, -1, 42), 1, 1));
  EXPECT_EQ(Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "3"}}),
            42);
}

TEST(KafkaStatsProbeTest, RevokedPartitionLosesItsSeries) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  (void)probe.Update(ConsumerStats(Partition(0, true, 10, 10) + "," + Partition(1, true, 20, 20), 1, 2));
  (void)probe.Update(ConsumerStats(Partition(0, true, 4, 4) + "," + Partition(1, false, 20, 20), 2, 1));
  EXPECT_EQ(Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "1"}}),
            std::nullopt);
  EXPECT_EQ(Value(registry, "ingestd_kafka_consumer_lag_records"), 4);
}

TEST(KafkaStatsProbeTest, ProducerDocumentSetsQueueDepth) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  (void)probe.Update(ConsumerStats(Partition(0, true, 8, 8), 1, 1));
  const auto s = probe.Update(R"({"type":"producer","msg_cnt":12,"msg_size":3456,"topics":{}})");
  EXPECT_EQ(s.type, "producer");
  EXPECT_EQ(Value(registry, "ingestd_kafka_producer_queue_messages"), 12);
  EXPECT_EQ(Value(registry, "ingestd_kafka_producer_queue_bytes"), 3456);
  EXPECT_EQ(Value(registry, "ingestd_kafka_consumer_lag_records"), 8);  // untouched by the producer
}

TEST(KafkaStatsProbeTest, CountsUnparsableDocumentsAndKeepsLastValues) {
  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  (void)probe.Update(ConsumerStats(Partition(0, true, 8, 8), 1, 1));
  EXPECT_FALSE(probe.Update("{not json").ok);
  EXPECT_FALSE(probe.Update("[1,2]").ok);
  EXPECT_FALSE(probe.Update(R"({"no_type":1})").ok);
  EXPECT_EQ(Value(registry, "ingestd_kafka_stats_errors_total"), 3);
  EXPECT_EQ(Value(registry, "ingestd_kafka_consumer_lag_records"), 8);
}

// The real thing: librdkafka's mock cluster, a producer and a group consumer with
// statistics.interval.ms, and the probe fed from the stats callback. Holds the
// probe to the format librdkafka really emits.
struct StatsSink {
  KafkaStatsProbe* probe;
  std::mutex mu;
  std::optional<KafkaStatsSummary> last_consumer;
};

int OnStats(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* sink = static_cast<StatsSink*>(opaque);
  auto summary = sink->probe->Update(std::string_view(json, len));
  if (summary.type == "consumer") {
    std::lock_guard lock(sink->mu);
    sink->last_consumer = summary;
  }
  return 0;  // librdkafka frees json
}

rd_kafka_conf_t* Conf(const std::map<std::string, std::string>& kv) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : kv) {
    EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
  }
  return conf;
}

TEST(KafkaStatsProbeTest, ReadsLagFromRealLibrdkafkaStatistics) {
  char err[512];
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, Conf({{"test.mock.num.brokers", "1"}}), err, sizeof err);
  ASSERT_NE(producer, nullptr) << err;
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(producer);
  ASSERT_NE(cluster, nullptr);
  ASSERT_EQ(rd_kafka_mock_topic_create(cluster, "articles.raw", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);

  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; ++i) {
    const std::string v = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("articles.raw"), RD_KAFKA_V_PARTITION(i % 2),
                                RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_EQ(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);

  prometheus::Registry registry;
  KafkaStatsProbe probe(registry);
  StatsSink sink{&probe, {}, {}};
  rd_kafka_conf_t* conf = Conf({{"bootstrap.servers", bootstrap},
                                {"group.id", "stats-test"},
                                {"auto.offset.reset", "earliest"},
                                {"enable.auto.commit", "false"},
                                {"enable.auto.offset.store", "false"},
                                {"statistics.interval.ms", "100"}});
  rd_kafka_conf_set_stats_cb(conf, OnStats);
  rd_kafka_conf_set_opaque(conf, &sink);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  ASSERT_NE(consumer, nullptr) << err;
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "articles.raw", RD_KAFKA_PARTITION_UA);
  ASSERT_EQ(rd_kafka_subscribe(consumer, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);

  // Consume everything; commit all of partition 0 (lag 0) and the first 5 of
  // partition 1's 15 messages (lag 10). Offsets are stored by hand, as the daemon does.
  int consumed = 0;
  bool committed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool seen = false;
  while (std::chrono::steady_clock::now() < deadline && !seen) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50)) {
      if (!m->err) {
        ++consumed;
        if (m->partition == 0 || m->offset < 5) {
          rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
          rd_kafka_topic_partition_list_add(offsets, "articles.raw", m->partition)->offset = m->offset + 1;
          committed = rd_kafka_commit(consumer, offsets, /*async=*/0) == RD_KAFKA_RESP_ERR_NO_ERROR || committed;
          rd_kafka_topic_partition_list_destroy(offsets);
        }
      }
      rd_kafka_message_destroy(m);
    }
    std::lock_guard lock(sink.mu);
    seen =
        consumed == kMessages && sink.last_consumer && sink.last_consumer->partitions_with_lag == 2 &&
        Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "0"}}) ==
            0.0 &&
        Value(registry, "ingestd_kafka_partition_lag_records", {{"topic", "articles.raw"}, {"partition", "1"}}) == 10.0;
  }
  EXPECT_TRUE(committed);
  EXPECT_TRUE(seen) << "consumed " << consumed << ", lag total "
                    << Value(registry, "ingestd_kafka_consumer_lag_records").value_or(-1);
  EXPECT_EQ(Value(registry, "ingestd_kafka_consumer_lag_records"), 10);
  EXPECT_EQ(Value(registry, "ingestd_kafka_stats_errors_total"), 0);

  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
}

}  // namespace
}  // namespace ingestd
