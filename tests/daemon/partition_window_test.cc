#include "daemon/partition_window.h"

#include <gtest/gtest.h>

#include <vector>

namespace ingestd {
namespace {

std::vector<int64_t> ProduceAll(PartitionWindow& w) {
  std::vector<int64_t> produced;
  w.ProduceReady([&](const std::shared_ptr<InflightRecord>& r) {
    produced.push_back(r->offset);
    r->state.store(InflightRecord::kProduced);
    return true;
  });
  return produced;
}

void Pop(PartitionWindow& w) {
  while (w.AckedFront()) w.PopFront();
}

TEST(PartitionWindowTest, ProducesInOffsetOrderWhateverOrderWorkersFinish) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 10, 100);
  auto b = w.Push(nullptr, 11, 100);
  auto c = w.Push(nullptr, 12, 100);
  c->state.store(InflightRecord::kProcessed);
  b->state.store(InflightRecord::kProcessed);
  EXPECT_TRUE(ProduceAll(w).empty());  // 10 is still in a worker
  a->state.store(InflightRecord::kProcessed);
  EXPECT_EQ(ProduceAll(w), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_TRUE(ProduceAll(w).empty());
}

TEST(PartitionWindowTest, StopsProducingWhenTheProducerQueueIsFull) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  auto b = w.Push(nullptr, 1, 1);
  a->state.store(InflightRecord::kProcessed);
  b->state.store(InflightRecord::kProcessed);
  int calls = 0;
  w.ProduceReady([&](const std::shared_ptr<InflightRecord>&) { return ++calls > 1; });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ProduceAll(w), (std::vector<int64_t>{0, 1}));  // retried from the same record
}

TEST(PartitionWindowTest, WatermarkAdvancesOnlyOverContiguousAcknowledgements) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 5, 1);
  auto b = w.Push(nullptr, 6, 1);
  auto c = w.Push(nullptr, 7, 1);
  for (auto& r : {a, b, c}) r->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  c->state.store(InflightRecord::kAcked);  // acks can arrive out of order across output topics
  Pop(w);
  EXPECT_EQ(w.watermark(), -1);
  a->state.store(InflightRecord::kAcked);
  Pop(w);
  EXPECT_EQ(w.watermark(), 6);
  b->state.store(InflightRecord::kAcked);
  Pop(w);
  EXPECT_EQ(w.watermark(), 8);
  EXPECT_EQ(w.unacked(), 0u);
}

TEST(PartitionWindowTest, DoesNotPopAProcessedRecordThatWasNeverProduced) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  a->state.store(InflightRecord::kAcked);  // impossible in practice; the window must still hold it
  EXPECT_EQ(w.AckedFront(), nullptr);
}

TEST(PartitionWindowTest, CountsRecordsInFlightUntilTheirOffsetIsCommitted) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 100);
  auto b = w.Push(nullptr, 1, 50);
  for (auto& r : {a, b}) r->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  for (auto& r : {a, b}) r->state.store(InflightRecord::kAcked);
  Pop(w);
  EXPECT_EQ(w.unacked(), 0u);
  EXPECT_EQ(w.records(), 2u);
  EXPECT_EQ(w.bytes(), 150u);
  w.OnCommitted(1);
  EXPECT_EQ(w.records(), 1u);
  EXPECT_EQ(w.bytes(), 50u);
  EXPECT_EQ(w.committed(), 1);
  w.OnCommitted(2);
  EXPECT_EQ(w.records(), 0u);
  EXPECT_EQ(w.bytes(), 0u);
}

TEST(PartitionWindowTest, RevokeMarksEveryRecordAbandoned) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  EXPECT_FALSE(a->revoked->load());
  w.Revoke();
  EXPECT_TRUE(a->revoked->load());
}

}  // namespace
}  // namespace ingestd
