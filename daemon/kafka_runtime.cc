#include "daemon/kafka_runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "stages/text/utf8.h"

namespace ingestd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollTimeout = std::chrono::milliseconds(100);
constexpr auto kCommitRetryAfter = std::chrono::seconds(10);
// A dead letter sent without the input's value, key and headers keeps this much of its message.
constexpr size_t kDroppedMessageBytes = 200;
// After a failed asynchronous commit: at the bound commits are due at once, and an
// immediate retry would spin at the coordinator's round-trip.
constexpr auto kCommitBackoff = std::chrono::milliseconds(100);
constexpr int kMaxBatch = 500;
// Of the grace period, kept for purging (at most kPurgeWait) and destroying the clients
// after the flush, before the exit watchdog ends the process with 1: a tenth of the
// grace, from 1 s to 5 s (the clients' threads take some hundred ms to end on a loaded
// machine).
std::chrono::milliseconds CloseReserve(std::chrono::milliseconds grace) {
  return std::clamp<std::chrono::milliseconds>(grace / 10, std::chrono::seconds(1), std::chrono::seconds(5));
}
constexpr auto kPurgeWait = std::chrono::milliseconds(300);
// The least a commit on revoke waits for the commit gate (index entries take a linger
// and a round trip).
constexpr auto kRevokeGateWait = std::chrono::milliseconds(500);
// Charged per in-flight record on top of its bytes: librdkafka's message and op, the
// InflightRecord, its shared_ptr block, its queue slots (an estimate, on the high side).
constexpr size_t kRecordOverheadBytes = 512;

KafkaRuntime* Self(void* opaque) { return static_cast<KafkaRuntime*>(opaque); }

void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // Connection failures ("FAIL") also reach the error callback, which logs them once.
  if (std::strcmp(facility, "FAIL") == 0) level = 7;
  const auto lvl = level <= 3   ? spdlog::level::err
                   : level == 4 ? spdlog::level::warn
                   : level <= 6 ? spdlog::level::info
                                : spdlog::level::debug;
  spdlog::log(lvl, "librdkafka {} {}: {}", rd_kafka_name(rk), facility, message);
}

std::string ErrorText(rd_kafka_error_t* error) {
  std::string s = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  return s;
}

int64_t IntProperty(const KafkaProperties& props, const std::string& key, int64_t fallback) {
  auto it = props.find(key);
  if (it == props.end()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return fallback;  // librdkafka rejects it when the client is created
  }
}

int64_t SessionTimeoutMs(const KafkaProperties& props) {
  return IntProperty(props, "session.timeout.ms", 45000);  // librdkafka's default
}

// What a consumed message holds: key, value, headers, plus the bookkeeping estimate.
size_t InputBytes(const rd_kafka_message_t* m) {
  size_t n = kRecordOverheadBytes + m->len + m->key_len;
  rd_kafka_headers_t* headers = nullptr;
  // Not const in librdkafka's API; it parses the headers once and keeps them with the message.
  if (rd_kafka_message_headers(const_cast<rd_kafka_message_t*>(m), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      n += std::strlen(name) + size + 32;
    }
  }
  return n;
}

// What a worker's result adds: the event and its key, or a dead letter's reason (its
// key, value and input headers are the consumed message's; the headers are copied, and
// their size is what InputBytes charged beyond the bookkeeping, key and value).
size_t OutputBytes(const Processed& p, const InflightRecord& r) {
  size_t n = p.key.size() + p.value.size();
  if (p.output == Output::kDeadLetter) {
    n += p.dead_letter.stage.size() + p.dead_letter.reason.size() + p.dead_letter.message.size() + 256;
    if (r.message) n += r.bytes - kRecordOverheadBytes - r.message->len - r.message->key_len;
  }
  return n;
}

}  // namespace

KafkaProperties InputConsumerProperties(const Config& config, std::vector<std::string>* warnings) {
  KafkaProperties props = ConsumerProperties(config.kafka);
  constexpr int64_t kMaxQueuedKbytes = 2097151;  // librdkafka's limit
  const int64_t bound = config.runtime.max_inflight_bytes;
  if (!config.kafka.consumer.count("queued.max.messages.kbytes")) {
    // Memory: the in-flight bytes, plus this queue, plus one fetch per broker over it
    // (fetch.max.bytes, which librdkafka caps at this value): 1.5 x the bound, one broker.
    props["queued.max.messages.kbytes"] = std::to_string(std::clamp<int64_t>(bound / 4 / 1024, 1, kMaxQueuedKbytes));
  } else if (const int64_t kb = IntProperty(props, "queued.max.messages.kbytes", 0); kb * 1024 > bound && warnings) {
    warnings->push_back(fmt::format(
        "kafka.consumer.queued.max.messages.kbytes ({} KiB) is above runtime.max_inflight_bytes ({} bytes): "
        "librdkafka may prefetch more than the in-flight bound, outside it (and fetch.max.bytes more on top)",
        kb, bound));
  }
  return props;
}

void CheckKafkaClients(const Config& config, bool dedupe_index) {
  RequireBrokers(config.kafka);
  std::vector<std::pair<KafkaProperties, const char*>> clients{
      {InputConsumerProperties(config, nullptr), "consumer"},
      {ProducerProperties(config.kafka), "producer"},
  };
  if (dedupe_index) {
    clients.emplace_back(DedupeIndexProducerProperties(config.kafka), "producer");
    clients.emplace_back(DedupeIndexConsumerProperties(config.kafka), "consumer");
  }
  for (const auto& [properties, section] : clients) rd_kafka_conf_destroy(MakeKafkaConf(properties, section));
}

// Trampolines from librdkafka's C callbacks; `opaque` is the KafkaRuntime.
struct KafkaRuntimeCallbacks {
  static void Rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque) {
    Self(opaque)->OnRebalance(err, parts);
  }
  // Each commit names its own callback (rd_kafka_commit_queue), so the result of a
  // synchronous commit is never taken for the one of an asynchronous commit in flight.
  static void AsyncCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                          void* opaque) {
    Self(opaque)->OnCommit(err, offsets, /*async=*/true);
  }
  static void SyncCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    Self(opaque)->OnCommit(err, offsets, /*async=*/false);
  }
  static void Delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    Self(opaque)->OnDelivery(message);
  }
  static void Error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    Self(opaque)->OnError(rk, err, reason);
  }
  static int Stats(rd_kafka_t* rk, char* json, size_t len, void* opaque) {
    auto* self = Self(opaque);
    if (self->stats_listener_) {
      self->stats_listener_(rd_kafka_type(rk) == RD_KAFKA_CONSUMER ? "consumer" : "producer",
                            std::string_view(json, len));
    }
    return 0;  // librdkafka frees json
  }
};

KafkaRuntime::KafkaRuntime(std::shared_ptr<const Config> config, Processor& processor, Readiness& readiness,
                           prometheus::Registry& registry)
    : config_(std::move(config)), processor_(processor), readiness_(readiness), probe_(registry) {
  readiness_.Hold(kReadinessCondition, "starting");
}

KafkaRuntime::~KafkaRuntime() {
  if (started_ && consumer_thread_.joinable()) {
    RequestStop(std::chrono::milliseconds(0));
    (void)Wait();
  }
  if (gate_) gate_->SetSettledListener({});  // the gate may outlive this object
}

void KafkaRuntime::SetStatisticsListener(std::function<void(std::string_view, std::string_view)> listener) {
  stats_listener_ = std::move(listener);
}

void KafkaRuntime::SetOutputListener(std::function<void(const Processed&, const InputPosition&)> listener) {
  output_listener_ = std::move(listener);
}

void KafkaRuntime::SetFinishedCallback(std::function<void()> finished) { finished_ = std::move(finished); }

void KafkaRuntime::SetFatalListener(std::function<void()> listener) { fatal_listener_ = std::move(listener); }

void KafkaRuntime::SetCommitGate(CommitGate* gate) {
  gate_ = gate;
  if (gate_) {
    gate_->SetSettledListener([this] {
      if (gate_waiting_.load(std::memory_order_relaxed)) Wake();
    });
  }
}

void KafkaRuntime::Start() {
  const KafkaConfig& kc = config_->kafka;
  RequireBrokers(kc);
  std::vector<std::string> warnings;
  const KafkaProperties consumer_props = InputConsumerProperties(*config_, &warnings);
  const KafkaProperties producer_props = ProducerProperties(kc);
  spdlog::info("kafka consumer: {}", Redacted(consumer_props));
  spdlog::info("kafka producer: {}", Redacted(producer_props));
  for (const auto& w : warnings) spdlog::warn("{}", w);
  revoke_deadline_ = std::chrono::milliseconds(
      std::min<int64_t>(config_->runtime.drain_timeout_ms, SessionTimeoutMs(consumer_props) / 2));
  // Holding back does not poll the consumer: stay well inside max.poll.interval.ms.
  const int64_t pause_after_ms = std::min<int64_t>(config_->runtime.pause_after_ms,
                                                   IntProperty(consumer_props, "max.poll.interval.ms", 300000) / 4);
  backpressure_ = Backpressure({static_cast<size_t>(config_->runtime.max_inflight_records),
                                static_cast<size_t>(config_->runtime.max_inflight_bytes),
                                std::chrono::milliseconds(pause_after_ms)});

  char err[512];
  rd_kafka_conf_t* cconf = MakeKafkaConf(consumer_props, "consumer");
  rd_kafka_conf_set_opaque(cconf, this);
  rd_kafka_conf_set_rebalance_cb(cconf, &KafkaRuntimeCallbacks::Rebalance);
  rd_kafka_conf_set_error_cb(cconf, &KafkaRuntimeCallbacks::Error);
  rd_kafka_conf_set_log_cb(cconf, &LogCallback);
  rd_kafka_conf_set_stats_cb(cconf, &KafkaRuntimeCallbacks::Stats);
  consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
  if (!consumer_) {
    rd_kafka_conf_destroy(cconf);
    throw std::runtime_error(std::string("kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(consumer_);
  consumer_queue_ = rd_kafka_queue_get_consumer(consumer_);
  commit_queue_ = rd_kafka_queue_new(consumer_);

  rd_kafka_conf_t* pconf = MakeKafkaConf(producer_props, "producer");
  rd_kafka_conf_set_opaque(pconf, this);
  rd_kafka_conf_set_dr_msg_cb(pconf, &KafkaRuntimeCallbacks::Delivery);
  rd_kafka_conf_set_error_cb(pconf, &KafkaRuntimeCallbacks::Error);
  rd_kafka_conf_set_log_cb(pconf, &LogCallback);
  rd_kafka_conf_set_stats_cb(pconf, &KafkaRuntimeCallbacks::Stats);
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
  if (!producer_) {
    rd_kafka_conf_destroy(pconf);
    throw std::runtime_error(std::string("kafka producer: ") + err);
  }
  out_topics_[static_cast<int>(Output::kEnriched)] = rd_kafka_topic_new(producer_, kc.topics.enriched.c_str(), nullptr);
  out_topics_[static_cast<int>(Output::kDuplicates)] =
      rd_kafka_topic_new(producer_, kc.topics.duplicates.c_str(), nullptr);
  out_topics_[static_cast<int>(Output::kDeadLetter)] =
      rd_kafka_topic_new(producer_, kc.topics.dead_letter.c_str(), nullptr);

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kc.topics.input.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) throw std::runtime_error(std::string("kafka subscribe: ") + rd_kafka_err2str(e));
  readiness_.Hold(kReadinessCondition, "joining consumer group " + kc.group_id);

  started_ = true;
  for (int i = 0; i < config_->runtime.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  producer_thread_ = std::thread([this] { ProducerLoop(); });
  consumer_thread_ = std::thread([this] { ConsumerLoop(); });
  spdlog::info(
      "consuming {} as group {} with {} workers (in flight at most {} records, {} bytes; paused after {} ms at the "
      "bound)",
      kc.topics.input, kc.group_id, config_->runtime.workers, config_->runtime.max_inflight_records,
      config_->runtime.max_inflight_bytes, pause_after_ms);
}

void KafkaRuntime::RequestStop(std::chrono::milliseconds deadline) {
  SetCloseDeadline();
  stop_deadline_ms_.store(deadline.count());
  stop_requested_.store(true);
  Wake();
}

int KafkaRuntime::Wait() {
  if (consumer_thread_.joinable()) consumer_thread_.join();
  return fatal_.load() ? 1 : 0;
}

void KafkaRuntime::Heartbeat() {
  loop_heartbeat_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

std::chrono::steady_clock::duration KafkaRuntime::LoopHeartbeatAge() const {
  const int64_t at = loop_heartbeat_ns_.load(std::memory_order_relaxed);
  if (at == 0 || !consumer_running_.load()) return Clock::duration::zero();
  return Clock::now() - Clock::time_point(Clock::duration(at));
}

std::string KafkaRuntime::LoopStallReason() const {
  const auto age = LoopHeartbeatAge();
  if (age < kLoopStallAfter) return {};
  return fmt::format("kafka consumer loop stuck: last went round {} s ago",
                     std::chrono::duration_cast<std::chrono::seconds>(age).count());
}

void KafkaRuntime::Wake() {
  // Once per pump: whoever sets dirty_ first wakes the consumer thread; the others
  // (a worker or delivery report per record) find it set and skip the syscalls.
  if (dirty_.exchange(true)) return;
  // The consumer thread waits on one of the two queues; a yield on the other one only
  // makes a later wait return at once.
  if (sleeping_.exchange(false) && consumer_queue_) {
    rd_kafka_queue_yield(consumer_queue_);
    rd_kafka_queue_yield(commit_queue_);
  }
  std::lock_guard lock(wake_mu_);
  wake_cv_.notify_one();
}

void KafkaRuntime::WaitForWork(std::chrono::milliseconds at_most) {
  std::unique_lock lock(wake_mu_);
  wake_cv_.wait_for(lock, at_most, [this] { return dirty_.load(); });
}

void KafkaRuntime::SetCloseDeadline() {
  const auto at = Clock::now() + std::chrono::milliseconds(config_->runtime.shutdown_grace_ms);
  int64_t unset = 0;
  close_by_ns_.compare_exchange_strong(unset, at.time_since_epoch().count());
}

void KafkaRuntime::Fatal(const std::string& why) {
  if (!fatal_.exchange(true)) {
    SetCloseDeadline();
    spdlog::critical("fatal: {}; stopping (offsets of unacknowledged records are not committed)", why);
    readiness_.MarkFatal(why);
    if (fatal_listener_) fatal_listener_();
  }
  Wake();
}

void KafkaRuntime::ConsumerLoop() {
  Heartbeat();
  consumer_running_.store(true);
  while (!fatal_.load()) {
    Heartbeat();
    if (stop_requested_.load() && !draining_) {
      draining_ = true;
      drain_deadline_ = Clock::now() + std::chrono::milliseconds(stop_deadline_ms_.load());
      readiness_.Hold(kReadinessCondition, "draining");
      if (!paused_) SetPaused(true);
      spdlog::info("draining: {} records in flight, {} ms at most", InflightRecords(), stop_deadline_ms_.load());
    }
    if (draining_ && (Drained() || Clock::now() >= drain_deadline_)) break;
    rd_kafka_queue_poll_callback(commit_queue_, 0);  // OnCommit: may free in-flight room
    const Backpressure::State state = UpdateBackpressure();
    sleeping_.store(true);
    if (state == Backpressure::State::kHolding) {
      // Hold back: librdkafka keeps its prefetched messages. Wait for a commit result
      // (this queue), a worker or a delivery report (Wake yields it), or the pause.
      const auto wait = std::min<Clock::duration>(kPollTimeout, backpressure_.HoldLeft(Clock::now()));
      const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      if (!dirty_.load()) rd_kafka_queue_poll_callback(commit_queue_, static_cast<int>(wait_ms));
      sleeping_.store(false);
    } else {
      const int timeout = dirty_.load() ? 0 : static_cast<int>(kPollTimeout.count());
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, timeout);
      sleeping_.store(false);
      // Take what is already fetched in one go (up to the in-flight bound), then pump once.
      for (int taken = 0; message; message = rd_kafka_consumer_poll(consumer_, 0)) {
        HandleMessage(message);
        if (++taken == kMaxBatch || draining_ || BoundReached()) break;
      }
    }
    Pump();
    MaybeCommit();
    ReportIfStuck();
  }
  consumer_running_.store(false);  // closing: the grace-period timer watches it from here
  Finish();
}

void KafkaRuntime::HandleMessage(rd_kafka_message_t* message) {
  if (message->err) {
    if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (Clock::now() - last_consume_error_log_ > std::chrono::seconds(5)) {
        last_consume_error_log_ = Clock::now();
        spdlog::warn("kafka consume: {}", rd_kafka_message_errstr(message));
      }
    }
    rd_kafka_message_destroy(message);
    return;
  }
  auto it = partitions_.find(message->partition);
  if (draining_ || it == partitions_.end()) {
    rd_kafka_message_destroy(message);  // not ours (anymore): its offset is not stored, so it is re-read
    return;
  }
  auto record = it->second->window.Push(message, message->offset, InputBytes(message));
  {
    std::lock_guard lock(work_mu_);
    work_.push_back(std::move(record));
  }
  work_cv_.notify_one();
}

void KafkaRuntime::Pump() {
  dirty_.store(false);
  rd_kafka_topic_partition_list_t* stores = nullptr;
  for (auto& [id, p] : partitions_) {
    PartitionWindow& w = p->window;
    if (!closing_) {
      w.ProduceReady([this](const std::shared_ptr<InflightRecord>& r) { return Produce(r); });
    }
    const int64_t before = w.watermark();
    while (auto r = w.AckedFront()) {
      const bool had_value = !r->value_dropped;
      const bool had_key = !r->key_dropped;
      const bool new_rejection = r->delivery_error == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE && !r->needs_resend;
      const AckedStep step = NextAckedStep(*r);
      if (step == AckedStep::kPop) {
        // Counted, tapped and logged here, where the output is final: Produce may have
        // turned an event too large to send into an output/too_large dead letter.
        processor_.Routed(r->result);
        if (output_listener_) output_listener_(r->result, InputPosition{config_->kafka.topics.input, id, r->offset});
        probe_.ObserveEndToEnd(r->result.output, std::chrono::steady_clock::now() - r->consumed_at);
        w.PopFront();
        continue;
      }
      if (step == AckedStep::kFail) {
        const auto err = static_cast<rd_kafka_resp_err_t>(r->delivery_error);
        probe_.delivery_errors.Increment();
        Fatal(std::string("delivery to ") + OutputName(r->result.output) + " failed: " + rd_kafka_err2str(err) +
              (r->key_dropped     ? " (dead letter without the input's value, key and headers)"
               : r->value_dropped ? " (dead letter without its value)"
                                  : ""));
        break;
      }
      // kResend: the broker's limit is below the producer's.
      if (new_rejection) {
        const char* smaller = r->key_dropped && had_key       ? "dead letter without the input's key and headers"
                              : r->value_dropped && had_value ? "dead letter without its value"
                                                              : "dead letter";
        spdlog::warn("partition {} offset {}: broker rejected the output as too large; re-sending as a smaller {}", id,
                     r->offset, smaller);
        if (r->value_dropped && had_value) probe_.dead_letter_values_dropped.Increment();
      }
      // Closing or failed: not delivered, so not popped (its offset is never committed).
      // Else produce again; on failure the error stays and the next pump retries.
      if (!closing_ && !fatal_.load()) (void)Produce(r);
      break;
    }
    if (w.watermark() != before) {
      if (!stores) stores = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
      rd_kafka_topic_partition_list_add(stores, config_->kafka.topics.input.c_str(), id)->offset = w.watermark();
    }
  }
  if (stores) {
    if (rd_kafka_resp_err_t e = rd_kafka_offsets_store(consumer_, stores); e) {
      spdlog::debug("kafka offsets_store: {}", rd_kafka_err2str(e));  // informational: commits use the watermarks
    }
    rd_kafka_topic_partition_list_destroy(stores);
  }
  probe_.inflight_records.Set(static_cast<double>(InflightRecords()));
  probe_.inflight_bytes.Set(static_cast<double>(InflightBytes()));
}

bool KafkaRuntime::Produce(const std::shared_ptr<InflightRecord>& record) {
  Processed& p = record->result;
  const rd_kafka_message_t* in = record->message;
  rd_kafka_vu_t vu[6];
  size_t n = 0;
  vu[n].vtype = RD_KAFKA_VTYPE_RKT;
  vu[n++].u.rkt = out_topics_[static_cast<int>(p.output)];
  rd_kafka_headers_t* headers = nullptr;
  if (p.output == Output::kDeadLetter) {
    // The input's key, value and headers untouched, plus why and where from.
    // When even those are too large without the value, the key and headers go too,
    // and the message is cut: a record that cannot be dead-lettered would stop the
    // daemon at every restart, since its offset is never committed.
    rd_kafka_headers_t* input_headers = nullptr;
    const bool has_headers = in && rd_kafka_message_headers(in, &input_headers) == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (has_headers && !record->key_dropped) {
      headers = rd_kafka_headers_copy(input_headers);
    } else {
      headers = rd_kafka_headers_new(10);
    }
    auto add = [headers](const char* name, const std::string& value) {
      rd_kafka_header_add(headers, name, -1, value.data(), static_cast<ssize_t>(value.size()));
    };
    add("ingestd.error.stage", p.dead_letter.stage);
    add("ingestd.error.reason", p.dead_letter.reason);
    const std::string& message = p.dead_letter.message;
    add("ingestd.error.message",
        record->key_dropped ? message.substr(0, BackToUtf8Boundary(message, kDroppedMessageBytes)) : message);
    add("ingestd.error.topic", config_->kafka.topics.input);
    add("ingestd.error.partition", std::to_string(in ? in->partition : -1));
    add("ingestd.error.offset", std::to_string(record->offset));
    if (record->value_dropped) add("ingestd.error.value_dropped_bytes", std::to_string(in ? in->len : 0));
    if (record->key_dropped) {
      add("ingestd.error.key_dropped_bytes", std::to_string(in ? in->key_len : 0));
      add("ingestd.error.headers_dropped", std::to_string(has_headers ? rd_kafka_header_cnt(input_headers) : 0));
    }
    const bool key = in && !record->key_dropped;
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n].u.mem.ptr = key ? in->key : nullptr;
    vu[n++].u.mem.size = key ? in->key_len : 0;
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n].u.mem.ptr = record->value_dropped || !in ? nullptr : in->payload;
    vu[n++].u.mem.size = record->value_dropped || !in ? 0 : in->len;
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = headers;
  } else {
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n].u.mem.ptr = p.key.data();
    vu[n++].u.mem.size = p.key.size();
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n].u.mem.ptr = p.value.data();
    vu[n++].u.mem.size = p.value.size();
  }
  // No copy: the bytes live in `record`, which the delivery report's opaque keeps alive.
  auto* holder = new std::shared_ptr<InflightRecord>(record);
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = holder;
  // Produced before the call: the delivery report (kAcked, delivery_error) may come
  // before produceva returns. A re-send starts a new delivery: clear the previous
  // rejection now, and put it back if produceva refuses the record.
  const int previous_error = std::exchange(record->delivery_error, 0);
  const bool previous_resend = std::exchange(record->needs_resend, false);
  const int previous = record->state.exchange(InflightRecord::kProduced, std::memory_order_acq_rel);
  rd_kafka_error_t* error = rd_kafka_produceva(producer_, vu, n);
  if (!error) return true;
  record->state.store(previous, std::memory_order_release);  // no delivery report comes for a refused record
  record->delivery_error = previous_error;
  record->needs_resend = previous_resend;
  delete holder;
  if (headers) rd_kafka_headers_destroy(headers);  // not taken over on failure
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  const std::string text = ErrorText(error);
  if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  if (code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
    if (p.output != Output::kDeadLetter) {
      p.output = Output::kDeadLetter;
      p.dead_letter = {
          "output", "too_large",
          "event of " + std::to_string(p.value.size()) + " bytes exceeds the producer's message.max.bytes"};
      return Produce(record);
    }
    if (!record->value_dropped) {
      record->value_dropped = true;
      probe_.dead_letter_values_dropped.Increment();
      return Produce(record);
    }
    if (!record->key_dropped) {
      record->key_dropped = true;
      spdlog::warn(
          "partition {} offset {}: dead letter too large without its value: sending it without the input's "
          "key and headers",
          in ? in->partition : -1, record->offset);
      return Produce(record);
    }
  }
  Fatal(std::string("produce to ") + OutputName(p.output) + ": " + text);
  return false;
}

void KafkaRuntime::OnDelivery(const rd_kafka_message_t* message) {
  auto* holder = static_cast<std::shared_ptr<InflightRecord>*>(message->_private);
  (*holder)->delivery_error = message->err;
  (*holder)->state.store(InflightRecord::kAcked, std::memory_order_release);
  delete holder;
  Wake();
}

rd_kafka_topic_partition_list_t* KafkaRuntime::CommitList() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  for (const auto& [id, p] : partitions_) {
    if (p->window.watermark() <= p->window.committed()) continue;
    if (!list) list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
    rd_kafka_topic_partition_list_add(list, config_->kafka.topics.input.c_str(), id)->offset = p->window.watermark();
  }
  return list;
}

void KafkaRuntime::MaybeCommit() {
  const auto now = Clock::now();
  if (async_commits_pending_ > 0 && now - commit_sent_ < kCommitRetryAfter) return;
  if (now < commits_resume_at_) return;  // a failed commit, or a rebalance in progress
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (!gated_) {
    size_t acked = 0;
    for (const auto& [id, p] : partitions_) acked += p->window.records() - p->window.unacked();
    if (acked == 0) return;
    // At the bound (holding back or paused) only commits free room: commit at once.
    const bool due = now - last_commit_ >= std::chrono::milliseconds(config_->runtime.commit_interval_ms) ||
                     acked * 2 >= static_cast<size_t>(config_->runtime.max_inflight_records) || paused_ ||
                     backpressure_.state() != Backpressure::State::kTaking;
    if (!due) return;
    // Explicit offsets (the watermarks), not librdkafka's stored ones: what the
    // callback confirms is exactly what the windows may forget.
    list = CommitList();
    if (!list) return;
    if (gate_) {
      // These watermarks, once every index entry written so far is delivered: those of
      // the records they cover were written before the records were acknowledged.
      gated_ = GatedCommit{gate_->Mark(), decltype(GatedCommit::offsets)(list)};
      list = nullptr;
    }
  }
  if (gated_) {
    // Set before asking, so a settle between the two wakes the loop.
    gate_waiting_.store(true);
    if (!gate_->Settled(gated_->mark)) {
      probe_.commit_waiting_for_index.Set(1);
      if (std::string why = gate_->Broken(); !why.empty()) Fatal(why);
      return;
    }
    gate_waiting_.store(false);
    probe_.commit_waiting_for_index.Set(0);
    list = gated_->offsets.release();
    gated_.reset();
  }
  ++async_commits_pending_;
  commit_sent_ = last_commit_ = now;
  // The result is served from commit_queue_ by the consumer loop (AsyncCommit -> OnCommit).
  if (rd_kafka_resp_err_t e =
          rd_kafka_commit_queue(consumer_, list, commit_queue_, &KafkaRuntimeCallbacks::AsyncCommit, this);
      e) {
    --async_commits_pending_;
    spdlog::warn("kafka commit: {}", rd_kafka_err2str(e));
  }
  rd_kafka_topic_partition_list_destroy(list);
}

bool KafkaRuntime::AwaitGate(Clock::time_point deadline, const char* what) {
  if (!gate_) return true;
  const uint64_t mark = gate_->Mark();
  if (gate_->Settled(mark)) return true;
  probe_.commit_waiting_for_index.Set(1);
  // In slices, beating the loop's heartbeat: waiting here (on revoke) is the loop's work.
  bool settled = false;
  while (!settled && Clock::now() < deadline) {
    Heartbeat();
    settled = gate_->WaitSettled(mark, std::min<Clock::time_point>(deadline, Clock::now() + std::chrono::seconds(1)));
    if (std::string why = gate_->Broken(); !settled && !why.empty()) {
      Fatal(why);
      break;
    }
  }
  probe_.commit_waiting_for_index.Set(0);
  if (!settled && what) {
    spdlog::warn(
        "{}: not committed: dedupe index entries of these records are not delivered yet (they will be "
        "consumed again)",
        what);
  }
  return settled;
}

rd_kafka_resp_err_t KafkaRuntime::CommitSync(const rd_kafka_topic_partition_list_t* list) {
  // A null queue: librdkafka serves SyncCommit (-> OnCommit) before returning.
  return rd_kafka_commit_queue(consumer_, list, nullptr, &KafkaRuntimeCallbacks::SyncCommit, this);
}

void KafkaRuntime::OnCommit(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, bool async) {
  if (async && async_commits_pending_ > 0) --async_commits_pending_;
  if (spdlog::should_log(spdlog::level::debug)) {
    std::string list;
    for (int i = 0; offsets && i < offsets->cnt; ++i) {
      list += fmt::format(" {}:{}{}", offsets->elems[i].partition, offsets->elems[i].offset,
                          offsets->elems[i].err ? std::string("!") + rd_kafka_err2name(offsets->elems[i].err) : "");
    }
    spdlog::debug("{} commit result {}:{}", async ? "async" : "sync", rd_kafka_err2name(err), list);
  }
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  if (async) {
    bool rebalancing = err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
    bool failed = err != RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; offsets && i < offsets->cnt; ++i) {
      rebalancing |= offsets->elems[i].err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
      failed |= offsets->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    // No commit until the rebalance callback (or kCommitRetryAfter): a commit with the
    // old generation that reaches the coordinator after the new one is formed fails with
    // ILLEGAL_GENERATION, and librdkafka then drops the whole assignment as lost.
    if (rebalancing) {
      commits_resume_at_ = Clock::now() + kCommitRetryAfter;
    } else if (failed) {
      commits_resume_at_ = Clock::now() + kCommitBackoff;
    }
  }
  // A failed commit leaves the windows alone: the next commit sends the watermark again.
  const bool ok = ApplyCommitResult(err, offsets, config_->kafka.topics.input, [this](int32_t id) -> PartitionWindow* {
    auto it = partitions_.find(id);
    return it == partitions_.end() ? nullptr : &it->second->window;
  });
  if (ok) {
    probe_.commits.Increment();
  } else {
    probe_.commit_failures.Increment();
    spdlog::warn("kafka commit failed: {}", rd_kafka_err2str(err));
  }
}

void KafkaRuntime::ReportIfStuck() {
  // Progress: the total of watermarks and committed offsets moves.
  int64_t progress = 0;
  for (const auto& [id, p] : partitions_) progress += p->window.watermark() + p->window.committed();
  const auto now = Clock::now();
  if (progress != last_progress_ || InflightRecords() == 0) {
    last_progress_ = progress;
    last_progress_at_ = now;
    if (stalled_) {
      stalled_ = false;
      readiness_.Release(kStalledCondition);
      spdlog::info("progress again");
    }
    return;
  }
  if (now - last_progress_at_ < std::chrono::seconds(30)) return;
  last_progress_at_ = now;
  if (!stalled_) {
    // Not ready while nothing moves (e.g. the broker is down): /readyz says so.
    stalled_ = true;
    readiness_.Hold(kStalledCondition, gated_ ? "no progress for 30 s with records in flight: commits wait for "
                                                "dedupe index entries (is the index topic taking writes?)"
                                              : "no progress for 30 s with records in flight");
  }
  std::string state;
  for (const auto& [id, p] : partitions_) {
    const PartitionWindow& w = p->window;
    state += fmt::format(" p{}: unacked={} uncommitted={} watermark={} committed={}", id, w.unacked(),
                         w.records() - w.unacked(), w.watermark(), w.committed());
  }
  spdlog::warn(
      "no progress for 30 s with {} records in flight (commit pending: {}, waiting for dedupe index "
      "entries: {}):{}",
      InflightRecords(), async_commits_pending_ > 0, gated_.has_value(), state);
}

bool KafkaRuntime::BoundReached() const { return backpressure_.Full(InflightRecords(), InflightBytes()); }

Backpressure::State KafkaRuntime::UpdateBackpressure() {
  if (draining_) return Backpressure::State::kPaused;  // paused by the drain; the loop keeps polling
  const size_t records = InflightRecords();
  const size_t bytes = InflightBytes();
  const Backpressure::State state = backpressure_.Update(records, bytes, Clock::now());
  const bool pause = state == Backpressure::State::kPaused;
  if (pause != paused_) {
    if (pause) probe_.backpressure_pauses.Increment();
    if (pause) {
      spdlog::info("in-flight bound reached for {} ms ({} records, {} bytes in flight): pausing {} partitions",
                   std::chrono::duration_cast<std::chrono::milliseconds>(backpressure_.pause_after()).count(), records,
                   bytes, partitions_.size());
    } else {
      spdlog::info("in flight down to {} records, {} bytes: resuming {} partitions", records, bytes,
                   partitions_.size());
    }
    SetPaused(pause);
  }
  return state;
}

void KafkaRuntime::SetPaused(bool paused) {
  paused_ = paused;
  if (partitions_.empty()) {
    probe_.paused_partitions.Set(0);
    return;
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (const auto& [id, p] : partitions_)
    rd_kafka_topic_partition_list_add(list, config_->kafka.topics.input.c_str(), id);
  const rd_kafka_resp_err_t e =
      paused ? rd_kafka_pause_partitions(consumer_, list) : rd_kafka_resume_partitions(consumer_, list);
  if (e) spdlog::warn("kafka {}: {}", paused ? "pause" : "resume", rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(list);
  probe_.paused_partitions.Set(paused ? static_cast<double>(partitions_.size()) : 0);
  spdlog::debug("{} {} partitions", paused ? "paused" : "resumed", partitions_.size());
}

void KafkaRuntime::OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  probe_.rebalances.Increment();
  // The group moved on (librdkafka calls this once per completed rebalance, even with
  // an empty assignment): commits with the new generation may go.
  commits_resume_at_ = {};
  gated_.reset();  // may name partitions this member no longer owns
  gate_waiting_.store(false);
  probe_.commit_waiting_for_index.Set(0);
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(consumer_), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Assign(partitions);
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(consumer_, partitions)) Fatal("assign: " + ErrorText(e));
    } else {
      rd_kafka_assign(consumer_, partitions);
    }
    // librdkafka keeps an application pause on a partition across unassign and assign:
    // one revoked (e.g. lost) while paused comes back paused, and SetPaused(false) with
    // no partitions resumed nothing. Set the new partitions' flag explicitly.
    if (paused_) {
      SetPaused(true);  // the new partitions too
    } else if (rd_kafka_resp_err_t e = rd_kafka_resume_partitions(consumer_, partitions); e) {
      spdlog::warn("kafka resume: {}", rd_kafka_err2str(e));
    }
    if (!joined_) {
      joined_ = true;
      // stop_requested_, not draining_: the control thread holds "draining" as soon as
      // the signal arrives, before this thread starts the drain.
      if (!stop_requested_.load()) readiness_.Release(kReadinessCondition);
    }
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    Revoke(partitions);
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(consumer_, partitions)) {
        spdlog::warn("unassign: {}", ErrorText(e));
      }
    } else {
      rd_kafka_assign(consumer_, nullptr);
    }
  } else {
    spdlog::error("kafka rebalance: {}", rd_kafka_err2str(err));
    Revoke(partitions);
    rd_kafka_assign(consumer_, nullptr);
  }
  probe_.assigned_partitions.Set(static_cast<double>(partitions_.size()));
}

void KafkaRuntime::Assign(rd_kafka_topic_partition_list_t* partitions) {
  std::string ids;
  for (int i = 0; i < partitions->cnt; ++i) {
    const int32_t id = partitions->elems[i].partition;
    partitions_[id] = std::make_unique<Partition>(Partition{id, PartitionWindow(memory_)});
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  }
  spdlog::info("assigned {} partitions [{}]", partitions->cnt, ids);
}

void KafkaRuntime::Revoke(rd_kafka_topic_partition_list_t* partitions) {
  const bool lost = rd_kafka_assignment_lost(consumer_);
  const auto deadline = Clock::now() + (closing_ || lost ? std::chrono::milliseconds(0) : revoke_deadline_);
  std::vector<int32_t> ids;
  for (int i = 0; i < partitions->cnt; ++i) {
    if (partitions_.count(partitions->elems[i].partition)) ids.push_back(partitions->elems[i].partition);
  }
  auto pending = [&] {
    size_t n = 0;
    for (int32_t id : ids) n += partitions_[id]->window.unacked();
    return n;
  };
  // Finish what the workers and the broker can finish in time.
  while (true) {
    Pump();
    if (pending() == 0 || Clock::now() >= deadline || fatal_.load()) break;
    Heartbeat();  // waiting for the revoked partitions is the loop's work too
    WaitForWork(std::chrono::milliseconds(5));
  }
  if (!lost) {
    rd_kafka_topic_partition_list_t* commit = rd_kafka_topic_partition_list_new(static_cast<int>(ids.size()));
    for (int32_t id : ids) {
      const PartitionWindow& w = partitions_[id]->window;
      if (w.watermark() > w.committed()) {
        rd_kafka_topic_partition_list_add(commit, config_->kafka.topics.input.c_str(), id)->offset = w.watermark();
      }
    }
    // The gate's mark covers every partition's writes, not only these: a revocation is
    // rare and the entries come within milliseconds. It gets at least kRevokeGateWait (the
    // pump above may have used the whole deadline, and a mark taken now covers writes of
    // the last milliseconds), except when closing: the final commit has just waited for
    // the gate, and said so if it had to give up.
    const auto gate_deadline = closing_ ? deadline : std::max(deadline, Clock::now() + kRevokeGateWait);
    if (commit->cnt > 0 && AwaitGate(gate_deadline, closing_ ? nullptr : "commit on revoke")) {
      if (rd_kafka_resp_err_t e = CommitSync(commit); e) {
        spdlog::warn("commit on revoke: {}", rd_kafka_err2str(e));
      }
    }
    rd_kafka_topic_partition_list_destroy(commit);
  }
  const size_t abandoned = pending();
  std::string list;
  for (int32_t id : ids) {
    if (closing_) revoked_uncommitted_ += partitions_[id]->window.records();
    partitions_[id]->window.Revoke();
    partitions_.erase(id);
    list += (list.empty() ? "" : ",") + std::to_string(id);
  }
  spdlog::info("revoked {} partitions [{}]{}{}", ids.size(), list, lost ? " (lost)" : "",
               abandoned ? ", abandoned " + std::to_string(abandoned) + " unfinished records" : std::string());
}

void KafkaRuntime::OnError(rd_kafka_t* rk, int err, const char* reason) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char why[512];
    rd_kafka_fatal_error(rk, why, sizeof why);
    Fatal(std::string("kafka ") + rd_kafka_name(rk) + ": " + why);
    return;
  }
  spdlog::warn("kafka {}: {}: {}", rd_kafka_name(rk), rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

void KafkaRuntime::Finish() {
  SetCloseDeadline();  // set already by the stop request or the fatal error; kept if so
  // The loop is over: nothing to wake (AwaitGate waits on the gate itself).
  if (gate_) gate_->SetSettledListener({});
  const size_t unfinished = [&] {
    size_t n = 0;
    for (const auto& [id, p] : partitions_) n += p->window.unacked();
    return n;
  }();
  if (!fatal_.load()) {
    if (unfinished) {
      spdlog::warn("drain deadline passed with {} records unfinished; they will be consumed again", unfinished);
    } else {
      spdlog::info("drained");
    }
  }
  // Commit what is acknowledged, then leave the group (the revoke callback abandons the rest).
  const auto close_by = Clock::time_point(Clock::duration(close_by_ns_.load()));
  const auto reserve = CloseReserve(std::chrono::milliseconds(config_->runtime.shutdown_grace_ms));
  if (rd_kafka_topic_partition_list_t* list = CommitList()) {
    // Half of what is left before the close reserve: entries late by more than that are
    // behind a broker that is down, and the rest of the shutdown (closing the clients, the
    // index log's own flush) needs the other half.
    const auto gate_by = Clock::now() + std::max<Clock::duration>(close_by - reserve - Clock::now(), {}) / 2;
    if (AwaitGate(gate_by, "final commit")) {
      if (rd_kafka_resp_err_t e = CommitSync(list); e) spdlog::warn("final commit: {}", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  closing_ = true;
  if (rd_kafka_resp_err_t e = rd_kafka_consumer_close(consumer_); e) {
    spdlog::warn("consumer close: {}", rd_kafka_err2str(e));
  }
  // After the close: its revoke may still commit (the gate settled meanwhile).
  left_uncommitted_.store(revoked_uncommitted_ + InflightRecords());
  {
    std::lock_guard lock(work_mu_);
    workers_stop_ = true;
    work_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  producer_stop_.store(true);
  producer_thread_.join();
  // Queued outputs hold their InflightRecord, which holds a consumed message: the
  // consumer cannot be destroyed while one is alive. Flush with what is left of the
  // grace period, then purge what is still queued and serve the purge reports, which
  // release them; the producer goes first.
  const auto flush_for = std::chrono::duration_cast<std::chrono::milliseconds>(close_by - Clock::now() - reserve);
  if (rd_kafka_flush(producer_, static_cast<int>(std::max<int64_t>(flush_for.count(), 0))) != 0) {
    spdlog::warn("producer flush: {} messages not delivered; purging them", rd_kafka_outq_len(producer_));
    rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const auto purge_deadline = Clock::now() + kPurgeWait;
    while (rd_kafka_outq_len(producer_) > 0 && Clock::now() < purge_deadline) rd_kafka_poll(producer_, 10);
  }
  for (auto*& t : out_topics_) {
    rd_kafka_topic_destroy(t);
    t = nullptr;
  }
  rd_kafka_destroy(producer_);
  producer_ = nullptr;
  partitions_.clear();
  rd_kafka_queue_destroy(commit_queue_);  // async commit results still queued are dropped
  commit_queue_ = nullptr;
  rd_kafka_queue_destroy(consumer_queue_);
  consumer_queue_ = nullptr;
  rd_kafka_destroy(consumer_);
  consumer_ = nullptr;
  spdlog::info("kafka clients closed");
  if (finished_) finished_();
}

void KafkaRuntime::WorkerLoop() {
  const std::string& topic = config_->kafka.topics.input;
  while (true) {
    std::shared_ptr<InflightRecord> r;
    {
      std::unique_lock lock(work_mu_);
      work_cv_.wait(lock, [this] { return workers_stop_ || !work_.empty(); });
      if (workers_stop_) return;
      r = std::move(work_.front());
      work_.pop_front();
    }
    if (!r->revoked->load(std::memory_order_relaxed)) {
      const InputPosition position{topic, r->message ? r->message->partition : -1, r->offset};
      r->result = processor_.Process(r->payload(), &position);
      r->ChargeOutput(OutputBytes(r->result, *r));
    }
    r->state.store(InflightRecord::kProcessed, std::memory_order_release);
    Wake();
  }
}

void KafkaRuntime::ProducerLoop() {
  while (!producer_stop_.load()) rd_kafka_poll(producer_, static_cast<int>(kPollTimeout.count()));
}

size_t KafkaRuntime::InflightRecords() const {
  size_t n = 0;
  for (const auto& [id, p] : partitions_) n += p->window.records();
  return n;
}

size_t KafkaRuntime::InflightBytes() const {
  return static_cast<size_t>(std::max<int64_t>(0, memory_->load(std::memory_order_relaxed)));
}

bool KafkaRuntime::Drained() const {
  for (const auto& [id, p] : partitions_) {
    if (p->window.unacked() > 0) return false;
  }
  return true;
}

}  // namespace ingestd
