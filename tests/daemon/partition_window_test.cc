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
  w.OnCommitted(1);
  EXPECT_EQ(w.records(), 1u);
  EXPECT_EQ(w.committed(), 1);
  w.OnCommitted(2);
  EXPECT_EQ(w.records(), 0u);
}

// Memory is what records hold while they exist: input, then output too, until the
// last reference (the window's, a worker's, the producer's) is gone.
TEST(PartitionWindowTest, CountsTheMemoryOfARecordUntilItIsDestroyed) {
  auto memory = std::make_shared<std::atomic<int64_t>>(0);
  PartitionWindow w(memory);
  auto a = w.Push(nullptr, 0, 100);
  auto b = w.Push(nullptr, 1, 50);
  EXPECT_EQ(w.memory(), 150u);
  a->ChargeOutput(300);  // a worker encoded its event
  EXPECT_EQ(w.memory(), 450u);
  for (auto& r : {a, b}) r->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  a->state.store(InflightRecord::kAcked);
  Pop(w);
  EXPECT_EQ(w.memory(), 450u);  // the test still holds `a` (as the producer would)
  a.reset();
  EXPECT_EQ(w.memory(), 50u);
  EXPECT_EQ(w.records(), 2u);  // the record bound still counts it until committed
}

// A revoked partition's window is gone, but records the producer still holds stay
// counted until the producer lets go of them.
TEST(PartitionWindowTest, RecordsOfARevokedPartitionCountUntilTheProducerLetsGo) {
  auto memory = std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<InflightRecord> held_by_producer;
  {
    PartitionWindow w(memory);
    held_by_producer = w.Push(nullptr, 0, 1000);
    (void)w.Push(nullptr, 1, 1000);
    w.Revoke();
  }
  EXPECT_EQ(memory->load(), 1000);
  held_by_producer.reset();
  EXPECT_EQ(memory->load(), 0);
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

TEST(PartitionWindowTest, ADeadLetterLosesItsValueThenTheInputKeyAndHeadersThenFails) {
  PartitionWindow w;
  auto a = w.Push(nullptr, 0, 1);
  a->result.output = Output::kDeadLetter;
  a->state.store(InflightRecord::kProcessed);
  ProduceAll(w);
  a->delivery_error = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
  a->state.store(InflightRecord::kAcked);
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kResend);
  EXPECT_TRUE(a->value_dropped);
  EXPECT_FALSE(a->key_dropped);

  // Re-sent without its value, rejected again (a huge key or headers): without those too.
  a->needs_resend = false;
  EXPECT_EQ(NextAckedStep(*a), AckedStep::kResend);
  EXPECT_TRUE(a->key_dropped);

  // Nothing of the input left and still rejected: no endless re-send loop.
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

// Backpressure: hold back at the bound, pause only when the hold lasts.

using Clock = std::chrono::steady_clock;
using State = Backpressure::State;
constexpr auto kSecond = std::chrono::milliseconds(1000);

Backpressure Make(size_t records, size_t bytes, Clock::duration pause_after = kSecond) {
  return Backpressure({records, bytes, pause_after});
}

TEST(BackpressureTest, HoldsBackAtTheBoundWithoutPausing) {
  Backpressure b = Make(100, 1 << 20);
  const auto t0 = Clock::now();
  EXPECT_EQ(b.Update(99, 0, t0), State::kTaking);
  EXPECT_EQ(b.Update(100, 0, t0), State::kHolding);
  EXPECT_EQ(b.Update(100, 0, t0 + kSecond / 2), State::kHolding);
  EXPECT_EQ(b.HoldLeft(t0 + kSecond / 2), kSecond / 2);
  // A commit frees room: taking resumes at once, without waiting for half the bound.
  EXPECT_EQ(b.Update(99, 0, t0 + kSecond / 2), State::kTaking);
}

TEST(BackpressureTest, PausesOnlyWhenTheBoundStaysReachedForPauseAfter) {
  Backpressure b = Make(100, 1 << 20);
  const auto t0 = Clock::now();
  EXPECT_EQ(b.Update(100, 0, t0), State::kHolding);
  EXPECT_EQ(b.Update(100, 0, t0 + kSecond - std::chrono::milliseconds(1)), State::kHolding);
  EXPECT_EQ(b.Update(100, 0, t0 + kSecond), State::kPaused);
  EXPECT_EQ(b.HoldLeft(t0 + 2 * kSecond), Clock::duration::zero());
}

TEST(BackpressureTest, EachHoldIsTimedFromItsOwnStart) {
  Backpressure b = Make(100, 1 << 20);
  const auto t0 = Clock::now();
  EXPECT_EQ(b.Update(100, 0, t0), State::kHolding);
  EXPECT_EQ(b.Update(90, 0, t0 + kSecond * 9 / 10), State::kTaking);
  EXPECT_EQ(b.Update(100, 0, t0 + kSecond * 9 / 10), State::kHolding);
  EXPECT_EQ(b.Update(100, 0, t0 + kSecond * 18 / 10), State::kHolding);  // 0.9 s into this hold
}

TEST(BackpressureTest, ResumesFromAPauseOnlyAtHalfTheBound) {
  Backpressure b = Make(100, 1000);
  const auto t0 = Clock::now();
  b.Update(100, 0, t0);
  ASSERT_EQ(b.Update(100, 0, t0 + kSecond), State::kPaused);
  EXPECT_EQ(b.Update(51, 0, t0 + kSecond), State::kPaused);  // pausing cost a re-fetch: move half the bound
  EXPECT_EQ(b.Update(50, 501, t0 + kSecond), State::kPaused);
  EXPECT_EQ(b.Update(50, 500, t0 + kSecond), State::kTaking);
}

TEST(BackpressureTest, TheByteBoundHoldsBackToo) {
  Backpressure b = Make(100, 1000);
  const auto t0 = Clock::now();
  EXPECT_EQ(b.Update(1, 999, t0), State::kTaking);
  EXPECT_EQ(b.Update(1, 1000, t0), State::kHolding);
}

TEST(BackpressureTest, ZeroPauseAfterPausesAtTheBound) {
  Backpressure b = Make(100, 1 << 20, Clock::duration::zero());
  EXPECT_EQ(b.Update(100, 0, Clock::now()), State::kPaused);
}

}  // namespace
}  // namespace ingestd
