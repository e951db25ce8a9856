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
#include <memory>
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
  Processed result;            // written by a worker before kProcessed
  int delivery_error = 0;      // rd_kafka_resp_err_t, written before kAcked
  bool value_dropped = false;  // dead letter re-sent without its too-large value
  bool needs_resend = false;   // the broker refused it as too large: send it again, smaller
};

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

}  // namespace ingestd
