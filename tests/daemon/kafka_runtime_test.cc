#include "daemon/kafka_runtime.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/embedded_broker.h"
#include "daemon/pipeline_probe.h"
#include "daemon/processor.h"
#include "daemon/readiness.h"
#include "daemon/runtime_probe.h"

namespace ingestd {
namespace {

using namespace std::chrono_literals;

Config WithBound(int64_t max_inflight_bytes) {
  Config c;
  c.kafka.brokers = "127.0.0.1:9092";
  c.runtime.max_inflight_bytes = max_inflight_bytes;
  return c;
}

// The end-to-end latency histogram resolves what Kafka latencies look like: from 1 ms
// (a linger and an ack) to a minute (backpressure), no two bounds more than 5/3 apart,
// so histogram_quantile is within a factor of 5/3 of the true value.
TEST(EndToEndLatencyBucketsTest, SpanAMillisecondToAMinuteAtMostFiveThirdsApart) {
  const auto b = EndToEndLatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.001);
  EXPECT_GE(b.back(), 60.0);
  for (size_t i = 1; i < b.size(); ++i) {
    EXPECT_GT(b[i], b[i - 1]) << i;
    EXPECT_LE(b[i] / b[i - 1], 5.0 / 3.0 + 1e-9) << b[i - 1] << " to " << b[i];
  }
  EXPECT_LE(b.size(), 30u);  // (bounds + Inf, sum, count) x 3 outputs: under a hundred series per replica
}

TEST(InputConsumerPropertiesTest, TiesLibrdkafkasPrefetchToAQuarterOfTheInflightBound) {
  std::vector<std::string> warnings;
  EXPECT_EQ(InputConsumerProperties(WithBound(256 << 20), &warnings).at("queued.max.messages.kbytes"), "65536");
  EXPECT_EQ(InputConsumerProperties(WithBound(1 << 20), &warnings).at("queued.max.messages.kbytes"), "256");
  EXPECT_TRUE(warnings.empty());
  // The ingestd defaults and owned keys are still there.
  EXPECT_EQ(InputConsumerProperties(WithBound(1 << 20), &warnings).at("enable.auto.offset.store"), "false");
}

TEST(InputConsumerPropertiesTest, KeepsTheUsersPrefetchAndWarnsWhenItExceedsTheBound) {
  Config c = WithBound(64 << 20);
  c.kafka.consumer["queued.max.messages.kbytes"] = "16384";  // 16 MiB: within the bound
  std::vector<std::string> warnings;
  EXPECT_EQ(InputConsumerProperties(c, &warnings).at("queued.max.messages.kbytes"), "16384");
  EXPECT_TRUE(warnings.empty());

  c.kafka.consumer["queued.max.messages.kbytes"] = "131072";  // 128 MiB > 64 MiB
  EXPECT_EQ(InputConsumerProperties(c, &warnings).at("queued.max.messages.kbytes"), "131072");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("kafka.consumer.queued.max.messages.kbytes"), std::string::npos);
  EXPECT_NE(warnings[0].find("runtime.max_inflight_bytes"), std::string::npos);
}

// Commits wait for the commit gate (in the daemon, the dedupe index log): the runtime
// on the embedded broker, no stages, and a gate the test opens by hand.
class HandGate final : public CommitGate {
 public:
  uint64_t Mark() override {  // as if a write came before each mark
    const uint64_t mark = ++marks_;
    if (mark == open_at_mark_.load()) open_through_.store(UINT64_MAX);
    return mark;
  }
  // Opens (silently) when the runtime takes mark `mark`.
  void OpenAtMark(uint64_t mark) { open_at_mark_.store(mark); }
  [[nodiscard]] bool Settled(uint64_t mark) const override {
    ++asked_;
    return mark <= open_through_.load();
  }
  bool WaitSettled(uint64_t mark, std::chrono::steady_clock::time_point deadline) override {
    while (!Settled(mark)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling against a deadline
    }
    return true;
  }
  void SetSettledListener(std::function<void()> listener) override { listener_ = std::move(listener); }
  [[nodiscard]] std::string Broken() const override {
    std::lock_guard lock(mu_);
    return broken_;
  }
  // Breaks the gate (its writer failed for good) and tells the runtime.
  void Break(const std::string& why) {
    {
      std::lock_guard lock(mu_);
      broken_ = why;
    }
    if (listener_) listener_();
  }
  // Settles every mark up to `mark` and tells the runtime, as delivery reports would.
  void OpenThrough(uint64_t mark) {
    open_through_.store(mark);
    if (listener_) listener_();
  }
  void Open() { OpenThrough(UINT64_MAX); }
  [[nodiscard]] uint64_t marks() const { return marks_.load(); }
  [[nodiscard]] uint64_t asked() const { return asked_.load(); }

 private:
  std::atomic<uint64_t> marks_{0};
  std::atomic<uint64_t> open_through_{0};
  std::atomic<uint64_t> open_at_mark_{0};
  mutable std::atomic<uint64_t> asked_{0};
  std::function<void()> listener_;
  mutable std::mutex mu_;
  std::string broken_;
};

class KafkaRuntimeGateTest : public ::testing::Test {
 protected:
  KafkaRuntimeGateTest()
      : broker_(1, 2, {"articles.raw", "articles.enriched", "articles.duplicates", "articles.dead-letter"}) {
    auto config = std::make_shared<Config>();
    config->kafka.brokers = broker_.bootstrap();
    config->kafka.group_id = "gate-test";
    config->kafka.consumer["session.timeout.ms"] = "6000";
    config->kafka.consumer["heartbeat.interval.ms"] = "500";
    config->kafka.consumer["fetch.wait.max.ms"] = "20";
    config->kafka.producer["linger.ms"] = "1";
    config->runtime.commit_interval_ms = 50;
    config->runtime.shutdown_grace_ms = 4000;
    config_ = config;
    processor_ = std::make_unique<Processor>(config_, std::vector<std::unique_ptr<Stage>>{}, *pipeline_probe_);
    runtime_ = std::make_unique<KafkaRuntime>(config_, *processor_, readiness_, registry_);
    runtime_->SetCommitGate(&gate_);
  }
  ~KafkaRuntimeGateTest() override {
    runtime_.reset();  // stops it if a test ended early
  }

  // Articles first .. first + count - 1, alternating between the input's two partitions.
  void ProduceInput(int first, int count) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", broker_.bootstrap().c_str(), err, sizeof err),
              RD_KAFKA_CONF_OK);
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(producer, nullptr) << err;
    for (int i = first; i < first + count; ++i) {
      const std::string value = R"({"url":"https://x.example/)" + std::to_string(i) +
                                R"(","title":"T","text":"Body text number )" + std::to_string(i) + R"("})";
      ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("articles.raw"), RD_KAFKA_V_PARTITION(i % 2),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    EXPECT_EQ(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(producer);
  }

  // The sum of a family's samples (counter, gauge, or a histogram's count).
  double Metric(const std::string& name) {
    double sum = 0;
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) sum += m.counter.value + m.gauge.value + m.histogram.sample_count;
    }
    return sum;
  }
  // Outputs acknowledged by the broker (the end-to-end histogram counts them).
  double Acked() { return Metric("ingestd_end_to_end_latency_seconds"); }
  bool Waiting() { return Metric("ingestd_offset_commit_waiting_for_index") == 1; }

  // The group's committed offsets on the broker, summed over the input's partitions
  // (asked by a client of its own that never joins the group); -1 when none is.
  int64_t CommittedOnBroker() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", broker_.bootstrap().c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "gate-test", err, sizeof err);
    rd_kafka_t* client = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!client) return -2;
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(parts, "articles.raw", 0);
    rd_kafka_topic_partition_list_add(parts, "articles.raw", 1);
    int64_t sum = -1;
    if (rd_kafka_committed(client, parts, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < parts->cnt; ++i) {
        if (parts->elems[i].offset >= 0) sum = std::max<int64_t>(sum, 0) + parts->elems[i].offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(client);
    return sum;
  }

  // Starts the runtime on `records` articles: all are acknowledged, and a due commit
  // waits for the gate.
  void StartWithAWaitingCommit(int records) {
    runtime_->Start();
    ProduceInput(0, records);
    ASSERT_TRUE(WaitFor([&] { return Acked() >= records; }, 60s));
    ASSERT_TRUE(WaitFor([&] { return Waiting(); }, 10s));
  }

  // Opens the gate: every record is committed, the waiting ends, and a stop leaves
  // nothing uncommitted.
  void OpenAndExpectEverythingCommitted(int64_t records) {
    gate_.Open();
    ASSERT_TRUE(WaitFor([&] { return CommittedOnBroker() == records; }, 10s));
    EXPECT_TRUE(WaitFor([&] { return Metric("ingestd_offset_commits_total") >= 1; }, 5s));  // its result served
    EXPECT_TRUE(WaitFor([&] { return !Waiting(); }, 5s));
    runtime_->RequestStop(2s);
    EXPECT_EQ(runtime_->Wait(), 0);
    EXPECT_EQ(runtime_->LeftUncommitted(), 0u);
  }

  // Polls `predicate` every 20 ms until it holds or `timeout` passes.
  template <typename Predicate>
  static bool WaitFor(Predicate predicate, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling against a deadline
    }
    return true;
  }

  EmbeddedBroker broker_;
  std::shared_ptr<const Config> config_;
  prometheus::Registry registry_;
  std::unique_ptr<PipelineProbe> pipeline_probe_ = std::make_unique<PipelineProbe>(registry_);
  Readiness readiness_;
  HandGate gate_;
  std::unique_ptr<Processor> processor_;
  std::unique_ptr<KafkaRuntime> runtime_;
};

TEST_F(KafkaRuntimeGateTest, CommitsNothingWhileTheGateIsShutAndEverythingOnceItOpens) {
  // A commit fell due (every 50 ms) and waits. The loop asks the gate again at each round:
  // after ten refusals, still nothing committed (a gate that only delayed commits would
  // have let one through).
  ASSERT_NO_FATAL_FAILURE(StartWithAWaitingCommit(20));
  const uint64_t asked = gate_.asked();
  ASSERT_TRUE(WaitFor([&] { return gate_.asked() >= asked + 10; }, 10s));
  EXPECT_EQ(Metric("ingestd_offset_commits_total"), 0);
  EXPECT_EQ(CommittedOnBroker(), -1);

  OpenAndExpectEverythingCommitted(20);
}

// A waiting commit sends the watermarks of the moment its mark was taken, not later
// ones: records acknowledged while it waited may have writes after the mark.
TEST_F(KafkaRuntimeGateTest, CommitsTheWatermarksOfTheMomentItsMarkWasTaken) {
  ASSERT_NO_FATAL_FAILURE(StartWithAWaitingCommit(10));
  const uint64_t first_mark = gate_.marks();  // the waiting commit takes no other mark
  ProduceInput(10, 10);
  ASSERT_TRUE(WaitFor([&] { return Acked() >= 20; }, 60s));
  EXPECT_EQ(gate_.marks(), first_mark);

  // The waiting commit covers what was acknowledged when it fell due: some or all of
  // the first ten, none of the second (produced after its mark).
  gate_.OpenThrough(first_mark);
  int64_t committed = -1;
  ASSERT_TRUE(WaitFor([&] { return (committed = CommittedOnBroker()) > 0; }, 10s));
  EXPECT_LE(committed, 10);
  // The next commit falls due with a new mark, which the gate refuses: the rest stays
  // uncommitted until it opens.
  ASSERT_TRUE(WaitFor([&] { return gate_.marks() > first_mark && Waiting(); }, 10s));
  EXPECT_EQ(CommittedOnBroker(), committed);

  OpenAndExpectEverythingCommitted(20);
}

TEST_F(KafkaRuntimeGateTest, FinalCommitAtStopIsSkippedWhenTheGateDoesNotSettleWithinTheGrace) {
  ASSERT_NO_FATAL_FAILURE(StartWithAWaitingCommit(20));

  runtime_->RequestStop(2s);
  EXPECT_EQ(runtime_->Wait(), 0);
  // Drained (every output acknowledged), but not one offset committed: the next owner
  // of the partitions consumes all of it again.
  EXPECT_EQ(runtime_->LeftUncommitted(), 20u);
  EXPECT_EQ(CommittedOnBroker(), -1);
}

// The final commit gives up on the gate; the close's revoke, which asks it again, finds
// it settled and commits everything: the summary's count of records left uncommitted is
// taken after that, so it says none.
TEST_F(KafkaRuntimeGateTest, RecordsTheCloseCommitsAreNotCountedAsLeftUncommitted) {
  ASSERT_NO_FATAL_FAILURE(StartWithAWaitingCommit(20));
  const uint64_t waiting = gate_.marks();
  gate_.OpenAtMark(waiting + 2);  // the final commit takes waiting + 1, the close's revoke the next

  runtime_->RequestStop(2s);
  EXPECT_EQ(runtime_->Wait(), 0);
  EXPECT_EQ(gate_.marks(), waiting + 2);
  EXPECT_EQ(CommittedOnBroker(), 20);
  EXPECT_EQ(runtime_->LeftUncommitted(), 0u);
}

// The gate's writer failed for good: a waiting commit never goes, and the run stops
// with a fatal error (exit 1, /healthz and /readyz say why) instead of waiting on.
TEST_F(KafkaRuntimeGateTest, ABrokenGateStopsTheRunWithoutCommitting) {
  ASSERT_NO_FATAL_FAILURE(StartWithAWaitingCommit(20));
  gate_.Break("dedupe index log: producer failed for good");
  EXPECT_EQ(runtime_->Wait(), 1);
  EXPECT_EQ(CommittedOnBroker(), -1);
  EXPECT_TRUE(readiness_.Fatal());
  EXPECT_NE(readiness_.Describe().find("producer failed for good"), std::string::npos) << readiness_.Describe();
}

}  // namespace
}  // namespace ingestd
