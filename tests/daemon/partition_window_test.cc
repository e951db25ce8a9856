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

// The broker refused the output as too large: the record is acknowledged with an
// error. It must stay (never popped, its offset never stored) until a smaller re-send
// is delivered, and a re-send that produceva refuses keeps the error.
TEST(PartitionWindowTest, KeepsATooLargeRejectionUntilTheResendIsDelivered) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 3, 1);
  a->state.store(InflightRecord::kProcessed);
  a->result.output = Output::kEnriched;
  ProduceAll(w);
  a->delivery_error = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
  a->state.store(InflightRecord::kAcked);

  ASSERT_EQ(w.AckedFront(), a);
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kResend);
  EXPECT_EQ(a->result.output, Output::kDeadLetter);
  EXPECT_EQ(a->result.dead_letter.reason, "too_large");
  EXPECT_FALSE(a->value_dropped);  // the dead letter keeps the input value first

  // produceva refused the re-send (queue full): the error and the pending re-send stay.
  EXPECT_EQ(a->delivery_error, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  ASSERT_EQ(w.AckedFront(), a);
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kResend);
  EXPECT_FALSE(a->value_dropped);  // not made smaller twice for one rejection
  EXPECT_EQ(w.watermark(), -1);

  // Accepted (Produce clears the error before produceva), then delivered.
  a->delivery_error = 0;
  a->needs_resend = false;
  a->state.store(InflightRecord::kProduced);
  EXPECT_EQ(w.AckedFront(), nullptr);
  a->state.store(InflightRecord::kAcked);
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kPop);
  w.PopFront();
  EXPECT_EQ(w.watermark(), 4);
}

TEST(PartitionWindowTest, FailsWhenADeadLetterWithoutItsValueIsStillTooLarge) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  a->result.output = Output::kDeadLetter;
  a->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  a->delivery_error = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
  a->state.store(InflightRecord::kAcked);
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kResend);
  EXPECT_TRUE(a->value_dropped);

  // Re-sent without its value, rejected again: no endless re-send loop.
  a->needs_resend = false;
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kFail);
  EXPECT_EQ(w.watermark(), -1);
}

TEST(PartitionWindowTest, FailsOnOtherDeliveryErrors) {
  InflightRecord r(nullptr, 0, 1, std::make_shared<std::atomic<bool>>(false));
  r.delivery_error = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT;
  EXPECT_EQ(NextAckedStep(r), AckedStep::kFail);
}

TEST(PartitionWindowTest, AFailedCommitLeavesTheWindowAlone) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  a->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  a->state.store(InflightRecord::kAcked);
  Pop(w);
  ASSERT_EQ(w.records(), 1u);  // acknowledged, not committed
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, "in", 0)->offset = w.watermark();  // element error left at 0
  auto find = [&](int32_t id) { return id == 0 ? &w : nullptr; };

  EXPECT_FALSE(ApplyCommitResult(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, list, "in", find));
  EXPECT_EQ(w.records(), 1u);
  EXPECT_EQ(w.committed(), -1);

  list->elems[0].err = RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE;
  EXPECT_TRUE(ApplyCommitResult(RD_KAFKA_RESP_ERR_NO_ERROR, list, "in", find));
  EXPECT_EQ(w.records(), 1u);  // that partition's own commit failed

  list->elems[0].err = RD_KAFKA_RESP_ERR_NO_ERROR;
  EXPECT_TRUE(ApplyCommitResult(RD_KAFKA_RESP_ERR_NO_ERROR, list, "in", find));
  EXPECT_EQ(w.records(), 0u);
  EXPECT_EQ(w.committed(), 1);
  rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace
}  // namespace ingestd
