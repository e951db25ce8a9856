// The shared dedupe index over Kafka, on the embedded (mock) broker: a copy seen by
// another replica is caught, and a restarted replica restores before it judges.
#include "daemon/dedupe_log_kafka.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "daemon/embedded_broker.h"
#include "tests/support/dedupe_replica.h"

namespace ingestd {
namespace {

using namespace std::chrono_literals;

using Replica = ingestd::testing::DedupeReplica;
std::string Prose(uint64_t seed, int words) { return ingestd::testing::SyllableProse(seed, words); }

// ingestd_dedupe_log_records_total{event=...} of a replica.
double Count(const Replica& r, const std::string& event) {
  for (const auto& family : r.registry.Collect()) {
    if (family.name != "ingestd_dedupe_log_records_total") continue;
    for (const auto& m : family.metric) {
      for (const auto& label : m.label) {
        if (label.name == "event" && label.value == event) return m.counter.value;
      }
    }
  }
  return -1;
}

class DedupeLogKafkaTest : public ::testing::Test {
 protected:
  DedupeLogKafkaTest() : broker_(1, 4, {"ingestd.dedupe-index"}) {
    auto config = std::make_shared<Config>();
    config->kafka.brokers = broker_.bootstrap();
    config->kafka.producer["linger.ms"] = "1";
    config_ = config;
  }
  EmbeddedBroker broker_;
  std::shared_ptr<const Config> config_;
};

TEST_F(DedupeLogKafkaTest, CatchesCopyIndexedByAnotherReplicaAndSurvivesRestart) {
  const std::string text = Prose(1, 400);
  {
    Replica a(*config_);
    Replica b(*config_);
    EXPECT_EQ(a.Process("orig", text).dedupe->status, DedupeStatus::kUnique);
    ASSERT_TRUE(b.WaitForEntries(1, 20s));
    const Article copy = b.Process("copy", text.substr(0, text.size() / 2));
    EXPECT_EQ(copy.dedupe->status, DedupeStatus::kNear);
    EXPECT_EQ(copy.dedupe->duplicate_of, "orig");
    ASSERT_TRUE(a.WaitForEntries(2, 20s));  // b's near-duplicate entry reached a too
  }
  // A restarted replica restores the index from the topic before it judges.
  Replica c(*config_);
  EXPECT_EQ(c.restored, 2u);
  const Article again = c.Process("again", text);
  EXPECT_EQ(again.dedupe->status, DedupeStatus::kExact);
  EXPECT_EQ(again.dedupe->duplicate_of, "orig");
}

// A restore has no overall time limit, only a stall limit: it fails, naming the
// topic, when the broker stops serving it midway.
TEST_F(DedupeLogKafkaTest, RestoreFailsWhenTheBrokerStopsServingTheTopic) {
  {
    Replica a(*config_);
    for (int i = 0; i < 8; ++i) a.Process("s" + std::to_string(i), Prose(200 + i, 300));
  }  // Stop() flushed the entries
  Replica restoring(*config_, /*follow=*/false);
  DedupeLogKafka& log = *restoring.log;
  // Every fetch fails (Fetch is API key 1; 6: not leader, which a consumer retries);
  // the watermarks (ListOffsets) still answer.
  ASSERT_EQ(broker_.Command("errors 1 6 100000"), "ok");
  std::string error;
  size_t read = 0;
  try {
    (void)log.Restore(2s, [&](size_t, size_t r, size_t) { read = r; });
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_EQ(broker_.Command("clear 1"), "ok");
  EXPECT_EQ(read, 0u);
  EXPECT_NE(error.find("restore from ingestd.dedupe-index stalled: nothing read for 2 s"), std::string::npos) << error;
}

// ...and a restore that keeps reading may take longer than the stall limit: one
// record batch per entry, small fetches and a slow broker make this one last many
// round trips, each bringing entries.
TEST_F(DedupeLogKafkaTest, RestoreThatKeepsReadingOutlastsTheStallLimit) {
  auto one_per_batch = std::make_shared<Config>(*config_);
  one_per_batch->kafka.producer["batch.num.messages"] = "1";
  constexpr int kEntries = 60;
  {
    Replica a(*one_per_batch);
    for (int i = 0; i < kEntries; ++i) a.Process("l" + std::to_string(i), Prose(300 + i, 300));
  }
  auto small_fetches = std::make_shared<Config>(*config_);
  small_fetches->kafka.consumer["max.partition.fetch.bytes"] = "600";
  Replica restoring(*small_fetches, /*follow=*/false);
  DedupeLogKafka& log = *restoring.log;
  ASSERT_EQ(broker_.Command("rtt 1 250"), "ok");
  const auto start = std::chrono::steady_clock::now();
  size_t restored = 0;
  EXPECT_NO_THROW(restored = log.Restore(1s));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(broker_.Command("rtt 1 0"), "ok");
  EXPECT_EQ(restored, static_cast<size_t>(kEntries));
  // Not a speed check: without it the test would not show what it claims.
  EXPECT_GT(took, 1s) << "the restore ended within the stall limit";
}

TEST_F(DedupeLogKafkaTest, EveryEntryIndexedByOneReplicaReachesTheOtherWhichThenCatchesItsCopy) {
  // How long an entry takes to cross (the window in which both replicas see a pair as
  // new) is a timing, not a behaviour: see docs/benchmarks.md. Here: each entry arrives,
  // one by one, and once it has, the other replica judges a copy a duplicate of it.
  Replica a(*config_);
  Replica b(*config_);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "w" + std::to_string(i);
    const std::string text = Prose(100 + i, 300);
    ASSERT_EQ(a.Process(id, text).dedupe->status, DedupeStatus::kUnique);
    ASSERT_TRUE(b.WaitForEntries(static_cast<uint64_t>(i + 1), 20s)) << id << " never reached b";
    // An exact copy adds no entry of its own.
    const Article copy = b.Process("copy-" + id, text);
    EXPECT_EQ(copy.dedupe->status, DedupeStatus::kExact) << id;
    EXPECT_EQ(copy.dedupe->duplicate_of, id);
  }
  EXPECT_EQ(a.stage->Stats().entries, 20u);
  EXPECT_EQ(b.stage->Stats().entries, 20u);
}

// The log is the runtime's commit gate: a mark settles once every entry written before
// it is delivered, never while one is still queued for a broker that is down.
TEST_F(DedupeLogKafkaTest, GateSettlesAMarkOnlyOnceTheEntriesBeforeItAreDelivered) {
  Replica a(*config_);
  ASSERT_EQ(broker_.Command("down 1"), "ok");
  for (int i = 0; i < 5; ++i) a.Process("g" + std::to_string(i), Prose(400 + i, 300));
  const uint64_t mark = a.log->Mark();
  EXPECT_GE(mark, 5u);
  EXPECT_FALSE(a.log->Settled(mark)) << "settled with the only broker down";
  ASSERT_EQ(broker_.Command("up 1"), "ok");
  EXPECT_TRUE(a.log->WaitSettled(mark, std::chrono::steady_clock::now() + 30s));
  EXPECT_EQ(Count(a, "failed"), 0);
  // Every entry reached the topic: another replica restores all five.
  Replica b(*config_);
  EXPECT_EQ(b.restored, 5u);
}

// An entry the producer gives up on (message.timeout.ms) settles its mark too, counted
// as failed: a dead index topic must not hold every commit forever.
TEST_F(DedupeLogKafkaTest, GateSettlesAMarkWhoseEntriesFailedAndCountsThem) {
  auto short_timeout = std::make_shared<Config>(*config_);
  short_timeout->kafka.producer["message.timeout.ms"] = "1000";
  Replica a(*short_timeout);
  ASSERT_EQ(broker_.Command("down 1"), "ok");
  for (int i = 0; i < 3; ++i) a.Process("f" + std::to_string(i), Prose(500 + i, 300));
  const uint64_t mark = a.log->Mark();
  EXPECT_TRUE(a.log->WaitSettled(mark, std::chrono::steady_clock::now() + 30s));
  EXPECT_EQ(Count(a, "failed"), 3);
  ASSERT_EQ(broker_.Command("up 1"), "ok");
}

// A producer that failed for good (an idempotence error) loses every later entry: the
// gate breaks, saying why, and never settles a mark past what was delivered before, so
// the runtime stops instead of committing records whose entries are gone.
TEST_F(DedupeLogKafkaTest, GateBreaksAndSettlesNothingMoreWhenTheProducerFailsForGood) {
  Replica a(*config_);
  a.Process("b0", Prose(600, 300));
  const uint64_t before = a.log->Mark();
  ASSERT_TRUE(a.log->WaitSettled(before, std::chrono::steady_clock::now() + 30s));
  EXPECT_EQ(a.log->Broken(), "");
  std::atomic<int> woken{0};  // the listener runs on whichever thread broke the gate
  a.log->SetSettledListener([&woken] { ++woken; });

  a.log->FailProducerForTesting("injected by the test");
  a.Process("b1", Prose(601, 300));
  const uint64_t after = a.log->Mark();
  EXPECT_GT(after, before);
  EXPECT_NE(a.log->Broken().find("injected by the test"), std::string::npos) << a.log->Broken();
  const auto told_by = std::chrono::steady_clock::now() + 10s;  // polled: the break may still be telling it
  while (woken.load() == 0 && std::chrono::steady_clock::now() < told_by) std::this_thread::yield();
  EXPECT_GE(woken.load(), 1) << "a waiting runtime is not told";
  EXPECT_TRUE(a.log->Settled(before));
  EXPECT_FALSE(a.log->Settled(after));
  // Returns at once, not at the deadline.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(a.log->WaitSettled(after, start + 30s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  a.log->SetSettledListener({});
}

}  // namespace
}  // namespace ingestd
