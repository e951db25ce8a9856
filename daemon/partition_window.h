// The records of one input partition between consume and commit, in offset order.
//
//   consumer thread: Push ─> worker: Process, state kProcessed ─> consumer thread:
//   TakeReadyToProduce (in offset order, stops at the first record still in a
//   worker) ─> produce, state kProduced ─> delivery report: state kAcked ─>
//   consumer thread: PopAcked advances the watermark (the offset to store: every
//   record before it is acknowledged) ─> commit ─> OnCommitted forgets them.
//
// A record counts as in flight from Push until its offset is committed, so a crash
// re-delivers at most the in-flight record bound. Memory is counted apart, by the
// record itself (InflightMemory): what it holds, from Push until it is destroyed.
//
// Threading: the window is owned by the consumer thread. Workers and the delivery
// report thread only touch a record's `state` (atomic) and the fields it guards.
#pragma once

#include <librdkafka/rdkafka.h>

#include <algorithm>
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

// Bytes held by in-flight records wherever they are: in a window, a worker, the
// producer's queue, or left over from a revoked partition until the producer lets go
// of them. Each record adds what it holds and takes it back in its destructor, so the
// figure is exact whichever thread drops the last reference. Any thread.
using InflightMemory = std::shared_ptr<std::atomic<int64_t>>;

struct InflightRecord {
  enum State : int { kQueued, kProcessed, kProduced, kAcked };

  // `size`: the memory the consumed message holds (key, value, headers, bookkeeping),
  // charged to `memory` (may be null) until the record is destroyed.
  InflightRecord(rd_kafka_message_t* m, int64_t off, size_t size, std::shared_ptr<std::atomic<bool>> rev,
                 InflightMemory memory = nullptr)
      : message(m), offset(off), bytes(size), revoked(std::move(rev)), memory_(std::move(memory)), charged_(size) {
    if (memory_) memory_->fetch_add(static_cast<int64_t>(charged_), std::memory_order_relaxed);
  }
  ~InflightRecord() {
    if (message) rd_kafka_message_destroy(message);
    if (memory_) memory_->fetch_sub(static_cast<int64_t>(charged_), std::memory_order_relaxed);
  }
  InflightRecord(const InflightRecord&) = delete;
  InflightRecord& operator=(const InflightRecord&) = delete;

  // The worker that filled `result` charges what the output holds (before kProcessed).
  void ChargeOutput(size_t output_bytes) {
    charged_ += output_bytes;
    if (memory_) memory_->fetch_add(static_cast<int64_t>(output_bytes), std::memory_order_relaxed);
  }
  [[nodiscard]] size_t charged() const { return charged_; }

  [[nodiscard]] std::string_view payload() const {
    return message && message->payload ? std::string_view(static_cast<const char*>(message->payload), message->len)
                                       : std::string_view();
  }

  rd_kafka_message_t* message;  // the consumed message (owned); null in unit tests
  const int64_t offset;
  const size_t bytes;  // charged for the input (key, value, headers, bookkeeping)
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
  bool key_dropped = false;    // and then also without the input's key and headers (they alone were too large)
  bool needs_resend = false;   // made smaller after a rejection, not yet accepted by produceva

 private:
  const InflightMemory memory_;
  size_t charged_;  // input, then + output (written by the worker before kProcessed)
};

// What the consumer thread does with an acknowledged front record.
enum class AckedStep {
  kPop,     // delivered: pop it (its offset may be stored)
  kResend,  // the broker rejected it as too large; it is now smaller: produce it again
  kFail,    // not delivered and nothing left to shrink: fatal (never pop it)
};

// Decides the step for an acknowledged record. On a new "too large" rejection it
// makes the output smaller, once per rejection: an event becomes a dead letter
// (output/too_large); a dead letter loses its value, then the input's key and headers.
// A dead letter rejected again with nothing left of the input fails, rather than
// re-sending forever.
[[nodiscard]] inline AckedStep NextAckedStep(InflightRecord& r) {
  if (r.delivery_error == 0) return AckedStep::kPop;
  if (r.delivery_error != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return AckedStep::kFail;
  if (!r.needs_resend) {
    if (r.result.output == Output::kDeadLetter) {
      if (r.key_dropped) return AckedStep::kFail;
      (r.value_dropped ? r.key_dropped : r.value_dropped) = true;
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
  // Records charge their memory to `memory` (the runtime's, shared by every window).
  explicit PartitionWindow(InflightMemory memory = std::make_shared<std::atomic<int64_t>>(0))
      : revoked_(std::make_shared<std::atomic<bool>>(false)), memory_(std::move(memory)) {}

  [[nodiscard]] std::shared_ptr<InflightRecord> Push(rd_kafka_message_t* message, int64_t offset, size_t bytes) {
    auto r = std::make_shared<InflightRecord>(message, offset, bytes, revoked_, memory_);
    records_.push_back(r);
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
    uncommitted_.push_back(r->offset);
    records_.pop_front();
    --next_produce_;
  }

  // The broker confirmed a commit of `offset` (the next offset to read).
  void OnCommitted(int64_t offset) {
    if (offset > committed_) committed_ = offset;
    while (!uncommitted_.empty() && uncommitted_.front() < offset) uncommitted_.pop_front();
  }

  // Marks every record abandoned (the partition was revoked or lost).
  void Revoke() { revoked_->store(true); }

  [[nodiscard]] int64_t watermark() const { return watermark_; }  // -1: nothing acknowledged yet
  [[nodiscard]] int64_t committed() const { return committed_; }
  [[nodiscard]] size_t unacked() const { return records_.size(); }
  [[nodiscard]] size_t records() const { return records_.size() + uncommitted_.size(); }
  // What every record sharing this window's InflightMemory holds now.
  [[nodiscard]] size_t memory() const { return static_cast<size_t>(std::max<int64_t>(0, memory_->load())); }

 private:
  std::deque<std::shared_ptr<InflightRecord>> records_;  // consumed, not yet acknowledged
  size_t next_produce_ = 0;                              // records_[0, next_produce_) are produced
  std::deque<int64_t> uncommitted_;                      // offsets acknowledged, not yet committed
  int64_t watermark_ = -1;
  int64_t committed_ = -1;
  std::shared_ptr<std::atomic<bool>> revoked_;
  InflightMemory memory_;
};

// Flow control of the consumer loop, against the in-flight bound (records consumed
// and not committed; bytes held by in-flight records). Consumer thread only; the
// time is passed in.
//
//   kTaking   below the bound: the loop takes messages from librdkafka's queue.
//   kHolding  at the bound: the loop stops taking messages but keeps serving
//             commits, delivery reports and workers. librdkafka keeps what it has
//             prefetched (and stops fetching by itself at queued.max.messages.kbytes),
//             so taking resumes, without a re-fetch, as soon as a commit frees room.
//   kPaused   the bound stayed reached for `pause_after` (a stuck broker or stage):
//             the partitions are paused so that the loop can poll the consumer again
//             (rebalances, max.poll.interval.ms) without taking messages; pausing
//             drops the prefetched messages, so it resumes only at half the bound.
class Backpressure {
 public:
  enum class State { kTaking, kHolding, kPaused };
  using Clock = std::chrono::steady_clock;
  struct Limits {
    size_t records;
    size_t bytes;
    Clock::duration pause_after;
  };

  explicit Backpressure(Limits limits) : limits_(limits) {}

  [[nodiscard]] bool Full(size_t records, size_t bytes) const {
    return records >= limits_.records || bytes >= limits_.bytes;
  }

  // Moves on with the in-flight figures now; returns the new state.
  State Update(size_t records, size_t bytes, Clock::time_point now) {
    if (state_ == State::kTaking && Full(records, bytes)) {
      state_ = State::kHolding;
      holding_since_ = now;
    }
    if (state_ == State::kHolding) {
      if (!Full(records, bytes)) {
        state_ = State::kTaking;
      } else if (now - holding_since_ >= limits_.pause_after) {
        state_ = State::kPaused;
      }
    } else if (state_ == State::kPaused && records <= limits_.records / 2 && bytes <= limits_.bytes / 2) {
      state_ = State::kTaking;
    }
    return state_;
  }

  // While holding: how long until the hold turns into a pause.
  [[nodiscard]] Clock::duration HoldLeft(Clock::time_point now) const {
    return std::max(Clock::duration::zero(), holding_since_ + limits_.pause_after - now);
  }
  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] Clock::duration pause_after() const { return limits_.pause_after; }

 private:
  Limits limits_;
  State state_ = State::kTaking;
  Clock::time_point holding_since_{};
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
