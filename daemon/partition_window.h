// The records of one input partition between consume and commit, in offset order.
//
//   consumer thread: Push ─> worker: Process, state kProcessed ─> consumer thread:
//   TakeReadyToProduce (in offset order, stops at the first record still in a
//   worker) ─> produce, state kProduced ─> delivery report: state kAcked ─>
//   consumer thread: PopAcked advances the watermark (the offset to store: every
//   record before it is acknowledged) ─> commit ─> OnCommitted forgets them.
//
// A record counts as in flight from Push until its offset is committed, so a crash
// re-delivers at most the in-flight bound.
//
// Threading: the window is owned by the consumer thread. Workers and the delivery
// report thread only touch a record's `state` (atomic) and the fields it guards.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/processor.h"

namespace ingestd {

struct InflightRecord {
  enum State : int { kQueued, kProcessed, kProduced, kAcked };

  InflightRecord(rd_kafka_message_t* m, int64_t off, size_t size, std::shared_ptr<std::atomic<bool>> rev)
      : message(m), offset(off), bytes(size), revoked(std::move(rev)) {}
  ~InflightRecord() {
    if (message) rd_kafka_message_destroy(message);
  }
  InflightRecord(const InflightRecord&) = delete;
  InflightRecord& operator=(const InflightRecord&) = delete;

  [[nodiscard]] std::string_view payload() const {
    return message && message->payload ? std::string_view(static_cast<const char*>(message->payload), message->len)
                                       : std::string_view();
  }

  rd_kafka_message_t* message;  // the consumed message (owned); null in unit tests
  const int64_t offset;
  const size_t bytes;
  const std::chrono::steady_clock::time_point consumed_at = std::chrono::steady_clock::now();  // end-to-end latency
  const std::shared_ptr<std::atomic<bool>> revoked;  // the partition was taken away: skip the work

  std::atomic<int> state{kQueued};
  Processed result;  // written by a worker before kProcessed
  // rd_kafka_resp_err_t of the last delivery, written before kAcked. A "too large"
  // rejection stays here until a smaller re-send is accepted by produceva (which
  // clears it, with needs_resend, just before the call): an undelivered record is
  // never popped, so its offset is never stored.
  int delivery_error = 0;
  bool value_dropped = false;  // dead letter re-sent without its too-large value
  bool needs_resend = false;   // made smaller after a rejection, not yet accepted by produceva
};

// What the consumer thread does with an acknowledged front record.
enum class AckedStep {
  kPop,     // delivered: pop it (its offset may be stored)
  kResend,  // the broker rejected it as too large; it is now smaller: produce it again
  kFail,    // not delivered and nothing left to shrink: fatal (never pop it)
};

// Decides the step for an acknowledged record. On a new "too large" rejection it
// makes the output smaller, once per rejection: an event becomes a dead letter
// (output/too_large); a dead letter loses its value. A dead letter rejected again
// without its value fails, rather than re-sending forever.
[[nodiscard]] inline AckedStep NextAckedStep(InflightRecord& r) {
  if (r.delivery_error == 0) return AckedStep::kPop;
  if (r.delivery_error != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return AckedStep::kFail;
  if (!r.needs_resend) {
    if (r.result.output == Output::kDeadLetter) {
      if (r.value_dropped) return AckedStep::kFail;
      r.value_dropped = true;
    } else {
      r.result.output = Output::kDeadLetter;
      r.result.dead_letter = {"output", "too_large", "event exceeds the broker's message size limit"};
    }
    r.needs_resend = true;
  }
  return AckedStep::kResend;
}

class PartitionWindow {
 public:
  PartitionWindow() : revoked_(std::make_shared<std::atomic<bool>>(false)) {}

  [[nodiscard]] std::shared_ptr<InflightRecord> Push(rd_kafka_message_t* message, int64_t offset, size_t bytes) {
    auto r = std::make_shared<InflightRecord>(message, offset, bytes, revoked_);
    records_.push_back(r);
    bytes_ += bytes;
    return r;
  }

  // Calls produce(record) for processed records in offset order; stops at the first
  // record not processed yet, or when produce returns false (retry later).
  template <typename F>
  void ProduceReady(F&& produce) {
    while (next_produce_ < records_.size()) {
      InflightRecord& r = *records_[next_produce_];
      if (r.state.load(std::memory_order_acquire) != InflightRecord::kProcessed) break;
      if (!produce(records_[next_produce_])) break;
      ++next_produce_;
    }
  }

  // The front record if its delivery report arrived, else null.
  [[nodiscard]] std::shared_ptr<InflightRecord> AckedFront() const {
    if (records_.empty() || next_produce_ == 0) return nullptr;
    const auto& r = records_.front();
    return r->state.load(std::memory_order_acquire) == InflightRecord::kAcked ? r : nullptr;
  }

  // Drops the (acknowledged) front record; its offset + 1 becomes the watermark.
  void PopFront() {
    const auto& r = records_.front();
    watermark_ = r->offset + 1;
    uncommitted_.push_back({r->offset, r->bytes});
    records_.pop_front();
    --next_produce_;
  }

  // The broker confirmed a commit of `offset` (the next offset to read).
  void OnCommitted(int64_t offset) {
    if (offset > committed_) committed_ = offset;
    while (!uncommitted_.empty() && uncommitted_.front().offset < offset) {
      bytes_ -= uncommitted_.front().bytes;
      uncommitted_.pop_front();
    }
  }

  // Marks every record abandoned (the partition was revoked or lost).
  void Revoke() { revoked_->store(true); }

  [[nodiscard]] int64_t watermark() const { return watermark_; }  // -1: nothing acknowledged yet
  [[nodiscard]] int64_t committed() const { return committed_; }
  [[nodiscard]] size_t unacked() const { return records_.size(); }
  [[nodiscard]] size_t records() const { return records_.size() + uncommitted_.size(); }
  [[nodiscard]] size_t bytes() const { return bytes_; }

 private:
  struct Done {
    int64_t offset;
    size_t bytes;
  };
  std::deque<std::shared_ptr<InflightRecord>> records_;  // consumed, not yet acknowledged
  size_t next_produce_ = 0;                              // records_[0, next_produce_) are produced
  std::deque<Done> uncommitted_;                         // acknowledged, not yet committed
  size_t bytes_ = 0;                                     // of records_ and uncommitted_
  int64_t watermark_ = -1;
  int64_t committed_ = -1;
  std::shared_ptr<std::atomic<bool>> revoked_;
};

// Applies a commit result to the windows: only a successful commit lets a window
// forget its records; on a failed one (top-level `err`, or a partition's own error)
// they stay and the next commit sends the same watermark again. Returns whether
// the commit succeeded. `window(partition)` is null for partitions no longer owned.
inline bool ApplyCommitResult(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets,
                              std::string_view topic, const std::function<PartitionWindow*(int32_t)>& window) {
  if (err) return false;
  for (int i = 0; offsets && i < offsets->cnt; ++i) {
    const auto& tp = offsets->elems[i];
    if (tp.err || tp.offset < 0 || topic != tp.topic) continue;
    if (PartitionWindow* w = window(tp.partition)) w->OnCommitted(tp.offset);
  }
  return true;
}

}  // namespace ingestd
