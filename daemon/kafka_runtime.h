// The Kafka runtime of `ingestd run`: a group consumer feeds a pool of workers
// running Processor::Process; results are produced, per input partition in offset
// order, to the enriched / duplicates / dead-letter topics by an idempotent
// producer; an input offset is stored (then committed) only when that record and
// every record before it in its partition were acknowledged by the broker, and
// committed only once the commit gate (the dedupe index log) has delivered what the
// stages wrote for them. At-least-once. See docs/runtime.md for the whole story.
//
// Threads and what they own:
//   consumer thread   the consumer, the partition windows, produce calls, offset
//                     stores and commits (results served from commit_queue_), the
//                     backpressure state (take / hold back / pause), rebalance callbacks.
//   worker threads    Processor::Process on one record at a time; charge its output
//                     to the in-flight memory.
//   producer thread   rd_kafka_poll(producer): delivery reports mark records acked.
//   caller (control)  Start, RequestStop, Wait.
// Workers and delivery reports wake the consumer thread (rd_kafka_queue_yield on the
// queue it waits on: the consumer's, or the commit queue while holding back).
//
// Lifecycle: Start() -> (running) -> RequestStop() or a fatal error -> drain,
// commit, close -> Wait() returns the exit code. One run per object.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "daemon/commit_gate.h"
#include "daemon/kafka_properties.h"
#include "daemon/partition_window.h"
#include "daemon/processor.h"
#include "daemon/readiness.h"
#include "daemon/runtime_probe.h"

namespace ingestd {

// The consumer's librdkafka properties: ConsumerProperties() plus the prefetch tied to
// the in-flight bound. Unless kafka.consumer sets `queued.max.messages.kbytes`, it is a
// quarter of runtime.max_inflight_bytes (64 MiB, librdkafka's default, at the default
// bound), which also caps `fetch.max.bytes`. A user value above the bound itself adds
// a line to `warnings`.
[[nodiscard]] KafkaProperties InputConsumerProperties(const Config& config, std::vector<std::string>* warnings);

// What `run` checks before it starts anything, and what `check-config` checks of
// Kafka: kafka.brokers is set, and librdkafka accepts the properties of every client
// `run` creates (the input consumer, the producer and, with `dedupe_index`, the dedupe
// index log's producer and consumer), built into rd_kafka_conf_t objects as `run`
// builds them, without creating a client or connecting. Throws KafkaConfigError
// naming the key. (What librdkafka checks only when a client is created, such as
// `acks` against `enable.idempotence`, or whether an ssl.* file exists, stays for
// `run` to find.)
void CheckKafkaClients(const Config& config, bool dedupe_index);

class KafkaRuntime {
 public:
  // The readiness condition the runtime holds while not consuming normally.
  static constexpr const char* kReadinessCondition = "kafka";
  // Held while records are in flight and nothing moved for 30 s.
  static constexpr const char* kStalledCondition = "kafka_progress";

  KafkaRuntime(std::shared_ptr<const Config> config, Processor& processor, Readiness& readiness,
               prometheus::Registry& registry);
  ~KafkaRuntime();
  KafkaRuntime(const KafkaRuntime&) = delete;
  KafkaRuntime& operator=(const KafkaRuntime&) = delete;

  // Called (on a librdkafka thread) with each statistics JSON document when
  // `statistics.interval.ms` is set in kafka.consumer / kafka.producer. Before Start().
  void SetStatisticsListener(std::function<void(std::string_view role, std::string_view json)> listener);
  // Called on the consumer thread with each record's outcome and where it was read,
  // once the broker has acknowledged it (GET /tap, dead-letter warnings). Before Start().
  void SetOutputListener(std::function<void(const Processed&, const InputPosition&)> listener);
  // Called on the consumer thread when the run ended (drained or fatal). Before Start().
  void SetFinishedCallback(std::function<void()> finished);
  // Called once, on the thread that hit it, when a fatal error stops the run (the
  // caller arms its exit timer: closing the clients may hang). Before Start().
  void SetFatalListener(std::function<void()> listener);
  // Commits wait for `gate` (the dedupe index log, daemon/commit_gate.h), which must
  // outlive the run. Before Start(), and before the gate's first write.
  void SetCommitGate(CommitGate* gate);

  // Creates the clients and starts the threads. Throws KafkaConfigError or
  // std::runtime_error when a client cannot be created.
  void Start();
  // Begins the drain (any thread): stop fetching, finish in-flight records within
  // `deadline`, commit, close.
  void RequestStop(std::chrono::milliseconds deadline);
  // Joins every thread; 0 after a clean drain, 1 after a fatal error.
  [[nodiscard]] int Wait();
  // After Wait(): records consumed and left uncommitted when the consumer closed (the
  // next owner of their partitions consumes them again); 0 after a complete drain.
  [[nodiscard]] size_t LeftUncommitted() const { return left_uncommitted_.load(); }
  // After Wait(): when the grace period of the stop (or the fatal error) ends, by which
  // the process must be gone; what the caller still closes (the dedupe index log) fits
  // in what is left. The clock's epoch when the run was never stopped.
  [[nodiscard]] std::chrono::steady_clock::time_point CloseBy() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(close_by_ns_.load()));
  }
  // How long ago the consumer loop last went round (any thread): it polls at least
  // every 100 ms, so a large age means the consumer thread is wedged (a blocked
  // commit, a callback that never returns). Zero before the loop starts and once it
  // has ended (closing is bounded by the grace-period timer).
  [[nodiscard]] std::chrono::steady_clock::duration LoopHeartbeatAge() const;
  // For /healthz (any thread): why the consumer loop counts as wedged (it has not
  // gone round for kLoopStallAfter), or empty.
  [[nodiscard]] std::string LoopStallReason() const;
  static constexpr auto kLoopStallAfter = std::chrono::seconds(60);

 private:
  friend struct KafkaRuntimeCallbacks;
  struct Partition {
    int32_t id;
    PartitionWindow window;
  };

  void ConsumerLoop();
  void HandleMessage(rd_kafka_message_t* message);
  void Pump();
  bool Produce(const std::shared_ptr<InflightRecord>& record);
  void MaybeCommit();
  [[nodiscard]] rd_kafka_topic_partition_list_t* CommitList() const;  // null when nothing to commit
  // Before a synchronous commit (revoke, exit): waits until the gate has settled every
  // write issued so far, up to `deadline`; false (and a warning naming `what`, unless
  // null) if not.
  bool AwaitGate(std::chrono::steady_clock::time_point deadline, const char* what);
  Backpressure::State UpdateBackpressure();
  void ReportIfStuck();
  void Heartbeat();
  void SetPaused(bool paused);
  void Finish();
  void Fatal(const std::string& why);
  void SetCloseDeadline();  // once: shutdown_grace_ms from the stop request or the fatal error
  void Wake();
  void WaitForWork(std::chrono::milliseconds at_most);
  void WorkerLoop();
  void ProducerLoop();

  // librdkafka callbacks (static trampolines in the .cc).
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke(rd_kafka_topic_partition_list_t* partitions);
  void OnCommit(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, bool async);
  // Commits `list` and applies the result before returning.
  rd_kafka_resp_err_t CommitSync(const rd_kafka_topic_partition_list_t* list);
  void OnDelivery(const rd_kafka_message_t* message);
  void OnError(rd_kafka_t* rk, int err, const char* reason);

  [[nodiscard]] size_t InflightRecords() const;
  [[nodiscard]] size_t InflightBytes() const;
  [[nodiscard]] bool Drained() const;
  [[nodiscard]] bool BoundReached() const;

  const std::shared_ptr<const Config> config_;
  Processor& processor_;
  Readiness& readiness_;
  RuntimeProbe probe_;
  std::function<void(std::string_view, std::string_view)> stats_listener_;
  std::function<void()> finished_;
  std::function<void(const Processed&, const InputPosition&)> output_listener_;
  std::function<void()> fatal_listener_;
  CommitGate* gate_ = nullptr;
  std::atomic<bool> gate_waiting_{false};  // a due commit waits: the gate's settle wakes the loop

  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_queue_t* consumer_queue_ = nullptr;
  // Results of asynchronous commits: served apart from the messages, so that holding
  // back (not taking messages) still frees in-flight room as commits complete.
  rd_kafka_queue_t* commit_queue_ = nullptr;
  rd_kafka_topic_t* out_topics_[3] = {nullptr, nullptr, nullptr};  // by Output
  std::chrono::milliseconds revoke_deadline_{10000};

  // Bytes held by in-flight records, revoked partitions' leftovers included (any thread).
  const InflightMemory memory_ = std::make_shared<std::atomic<int64_t>>(0);

  // Consumer thread state.
  std::map<int32_t, std::unique_ptr<Partition>> partitions_;
  Backpressure backpressure_{{1, 1, {}}};  // the real limits are set by Start()
  bool paused_ = false;
  bool draining_ = false;
  bool closing_ = false;           // consumer_close: revocations abandon at once
  int async_commits_pending_ = 0;  // sent, result not served yet
  // A due commit waiting for the gate: CommitList() when it fell due, and the gate's
  // mark then. Dropped at a rebalance (the next due commit takes a new mark).
  struct ListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  };
  struct GatedCommit {
    uint64_t mark;
    std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter> offsets;
  };
  std::optional<GatedCommit> gated_;
  std::chrono::steady_clock::time_point commit_sent_{};
  std::chrono::steady_clock::time_point commits_resume_at_{};  // no async commit before
  std::chrono::steady_clock::time_point last_commit_{};
  std::chrono::steady_clock::time_point drain_deadline_{};
  bool joined_ = false;
  std::chrono::steady_clock::time_point last_consume_error_log_{};
  int64_t last_progress_ = 0;
  std::chrono::steady_clock::time_point last_progress_at_{};
  bool stalled_ = false;  // holding kStalledCondition

  // Cross-thread signals.
  std::atomic<bool> stop_requested_{false};
  std::atomic<int64_t> stop_deadline_ms_{0};
  std::atomic<bool> fatal_{false};
  std::atomic<size_t> left_uncommitted_{0};    // set by the consumer thread once the consumer is closed
  size_t revoked_uncommitted_ = 0;             // consumer thread: records of partitions revoked by the close
  std::atomic<int64_t> close_by_ns_{0};        // steady_clock; the clients are closed by then
  std::atomic<int64_t> loop_heartbeat_ns_{0};  // steady_clock, written by the consumer thread
  std::atomic<bool> consumer_running_{false};  // the consumer loop runs (not yet closing)
  std::atomic<bool> dirty_{false};             // a record changed state since the last Pump
  std::atomic<bool> sleeping_{false};          // the consumer thread is (about to be) in poll
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;

  // Worker queue.
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<std::shared_ptr<InflightRecord>> work_;
  bool workers_stop_ = false;

  std::atomic<bool> producer_stop_{false};
  std::thread consumer_thread_;
  std::thread producer_thread_;
  std::vector<std::thread> workers_;
  bool started_ = false;
};

}  // namespace ingestd
