// The dedupe index shared between replicas through a compacted Kafka topic
// (kafka.topics.dedupe_index), behind the stage's dedupe::IndexLog interface so the
// stage never sees Kafka.
//
// Every replica publishes each entry it indexes (key: article id, value: the
// encoded entry) and a tombstone for each entry that leaves its window; it reads
// the topic from every partition by assign() (not as a group member, so every
// replica sees every entry) and applies the entries of the other replicas. On
// start, Restore() reads the topic up to its high watermarks before the runtime
// consumes anything, so a restarted replica still catches copies of what it (or
// anyone) indexed before.
//
// Window: a copy consumed by replica B within about (producer linger + broker
// round trip + fetch wait) of its original being indexed by replica A is judged
// by B before A's entry arrives; both then see it as new. Measured by
// bench/dedupe_replication.cc (about 21 ms on the embedded broker, the plain
// produce-consume round trip plus 0.2 ms) and documented in docs/benchmarks.md.
//
// Commits: it is the runtime's CommitGate. An entry is published while its record is
// processed, and the record's offset is committed only once the entry is delivered
// (or failed for good, counted as `failed`): a replica killed with entries still
// queued here has not committed their records, so whoever consumes them again
// indexes them again. Every write (entry or tombstone) gets a number in the order
// it is issued; delivery reports, which come in order per partition but not across
// partitions, settle numbers, and the gate is open up to the lowest unsettled one.
//
// Threads: Publish/Expire from worker threads (non-blocking produce; a full
// queue drops the entry and counts it); Restore on a restore thread (the daemon's
// control thread keeps serving the admin server meanwhile), CancelRestore from
// any thread; Start, Stop on the control thread once Restore has returned; one
// follower thread applies entries; one poller thread serves the producer's delivery
// reports from construction to Stop; Mark, Settled, WaitSettled from any thread.
#pragma once

#include <librdkafka/rdkafka.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.h"
#include "daemon/commit_gate.h"
#include "stages/dedupe/dedupe_stage.h"

namespace ingestd {

class DedupeLogKafka final : public dedupe::IndexLog, public CommitGate {
 public:
  static constexpr const char* kReadinessCondition = "dedupe_index";

  // Throws KafkaConfigError / std::runtime_error when the clients cannot start.
  DedupeLogKafka(const Config& config, DedupeStage& stage, prometheus::Registry& registry);
  ~DedupeLogKafka() override;
  DedupeLogKafka(const DedupeLogKafka&) = delete;
  DedupeLogKafka& operator=(const DedupeLogKafka&) = delete;

  // Applies every entry up to the partitions' high watermarks as of now, however
  // long that takes while records keep coming. Throws std::runtime_error when the
  // watermarks cannot be read, or when nothing at all was read for `stall_timeout`
  // (the broker stopped serving the topic). `progress`
  // (may be empty) is called on the restoring thread about every 200 ms with the
  // entries applied and the records read so far, and the records to read in all
  // (at most: compaction may have removed some), for readiness and logs.
  using RestoreProgress = std::function<void(size_t applied, size_t read, size_t total)>;
  size_t Restore(std::chrono::milliseconds stall_timeout, const RestoreProgress& progress = {});
  // Makes a running Restore() return early (any thread, e.g. on SIGTERM); then
  // RestoreCancelled() is true.
  void CancelRestore() { cancel_restore_.store(true); }
  [[nodiscard]] bool RestoreCancelled() const { return cancel_restore_.load(); }
  // Follows the topic from where Restore stopped (on the follower thread).
  void Start();
  // Stops following and flushes what was published (up to `flush`). Once: a second call
  // (the destructor's) does nothing.
  void Stop(std::chrono::milliseconds flush = std::chrono::seconds(5));

  void Publish(const dedupe::IndexEntry& entry) override;
  void Expire(const std::string& id) override;

  [[nodiscard]] uint64_t Mark() override;
  [[nodiscard]] bool Settled(uint64_t mark) const override;
  bool WaitSettled(uint64_t mark, std::chrono::steady_clock::time_point deadline) override;
  void SetSettledListener(std::function<void()> listener) override;
  [[nodiscard]] std::string Broken() const override;

  // Tests only: the producer fails for good, as on an idempotence error the broker
  // cannot recover from (librdkafka's rd_kafka_test_fatal_error).
  void FailProducerForTesting(const char* reason);

 private:
  friend struct DedupeLogKafkaCallbacks;
  void Produce(const std::string& key, const std::string* value);
  // A delivery report (poller thread, or Stop's flush): settles the write's number.
  void OnDelivery(const rd_kafka_message_t* message);
  void Settle(uint64_t number);
  [[nodiscard]] bool SettledLocked(uint64_t mark) const;  // gate_mu_ held
  // The producer's errors (its background thread); a fatal one breaks the gate.
  void OnError(rd_kafka_t* rk, int err, const char* reason);
  void Break(const std::string& why);
  void NotifySettledListener();
  // Consumes one batch; returns false on a fatal error.
  size_t PollOnce(int timeout_ms);

  DedupeStage& stage_;
  const std::string topic_;
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_topic_partition_list_t* assignment_ = nullptr;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cancel_restore_{false};
  std::thread follower_;
  std::thread poller_;
  std::atomic<bool> poller_stop_{false};
  // Write numbers: next_ is the next one given; settled_through_ the highest n with
  // every write up to n settled; pending_[i] whether write settled_through_ + 1 + i is.
  mutable std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  uint64_t next_ = 1;
  uint64_t settled_through_ = 0;
  std::deque<bool> pending_;
  std::string broken_;           // why no write will settle again (Broken())
  uint64_t broken_through_ = 0;  // settled_through_ when it broke: later writes never settle
  std::mutex listener_mu_;       // held while the listener runs, so a replaced one is never called again
  std::function<void()> settled_listener_;
  bool stopped_ = false;  // control thread
  // Delivery failures not logged yet, and when the last line was (poller thread or Stop).
  size_t failed_unlogged_ = 0;
  std::chrono::steady_clock::time_point failed_logged_at_{};
  prometheus::Family<prometheus::Counter>& records_;
  prometheus::Counter& published_;
  prometheus::Counter& tombstones_;
  prometheus::Counter& dropped_;
  prometheus::Counter& failed_;
  prometheus::Counter& applied_;
  prometheus::Counter& invalid_;
};

}  // namespace ingestd
