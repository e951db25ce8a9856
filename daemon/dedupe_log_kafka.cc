#include "daemon/dedupe_log_kafka.h"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <stdexcept>

#include "daemon/kafka_properties.h"

namespace ingestd {
namespace {

rd_kafka_t* NewClient(rd_kafka_type_t type, const KafkaProperties& props, const std::string& section,
                      DedupeLogKafka* delivery_to = nullptr,
                      void (*delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                      void (*error)(rd_kafka_t*, int, const char*, void*) = nullptr) {
  rd_kafka_conf_t* conf = MakeKafkaConf(props, section);
  if (delivery) {
    rd_kafka_conf_set_opaque(conf, delivery_to);
    rd_kafka_conf_set_dr_msg_cb(conf, delivery);
    rd_kafka_conf_set_error_cb(conf, error);
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("dedupe index log: ") + err);
  }
  return rk;
}

}  // namespace

struct DedupeLogKafkaCallbacks {
  static void Delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    static_cast<DedupeLogKafka*>(opaque)->OnDelivery(message);
  }
  static void Error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    static_cast<DedupeLogKafka*>(opaque)->OnError(rk, err, reason);
  }
};

DedupeLogKafka::DedupeLogKafka(const Config& config, DedupeStage& stage, prometheus::Registry& registry)
    : stage_(stage),
      topic_(config.kafka.topics.dedupe_index),
      records_(prometheus::BuildCounter()
                   .Name("ingestd_dedupe_log_records_total")
                   .Help("Records of the shared dedupe index topic, by event (published, tombstone, dropped: "
                         "refused by the producer's queue, failed: refused by the broker or timed out, "
                         "applied, invalid).")
                   .Register(registry)),
      published_(records_.Add({{"event", "published"}})),
      tombstones_(records_.Add({{"event", "tombstone"}})),
      dropped_(records_.Add({{"event", "dropped"}})),
      failed_(records_.Add({{"event", "failed"}})),
      applied_(records_.Add({{"event", "applied"}})),
      invalid_(records_.Add({{"event", "invalid"}})) {
  // Without brokers the metadata request below would wait 10 s for nothing.
  RequireBrokers(config.kafka);
  producer_ = NewClient(RD_KAFKA_PRODUCER, DedupeIndexProducerProperties(config.kafka), "producer", this,
                        &DedupeLogKafkaCallbacks::Delivery, &DedupeLogKafkaCallbacks::Error);
  // Not a group member: assign() every partition, never commit.
  consumer_ = NewClient(RD_KAFKA_CONSUMER, DedupeIndexConsumerProperties(config.kafka), "consumer");

  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* t = rd_kafka_topic_new(consumer_, topic_.c_str(), nullptr);
  const rd_kafka_resp_err_t err = rd_kafka_metadata(consumer_, 0, t, &md, 10000);
  rd_kafka_topic_destroy(t);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string why = err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(err)
                            : md->topic_cnt != 1              ? "no such topic"
                                                              : rd_kafka_err2str(md->topics[0].err);
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(consumer_);
    rd_kafka_destroy(producer_);
    throw std::runtime_error("dedupe index log: cannot read topic " + topic_ + ": " + why);
  }
  assignment_ = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
  for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
    rd_kafka_topic_partition_list_add(assignment_, topic_.c_str(), md->topics[0].partitions[i].id)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_metadata_destroy(md);
  rd_kafka_poll_set_consumer(consumer_);
  // Its own thread, not the follower's: a commit waits for these reports, and the
  // follower may sit in a consumer poll.
  poller_ = std::thread([this] {
    while (!poller_stop_.load(std::memory_order_relaxed)) rd_kafka_poll(producer_, 100);
  });
}

DedupeLogKafka::~DedupeLogKafka() {
  Stop();
  if (assignment_) rd_kafka_topic_partition_list_destroy(assignment_);
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
  rd_kafka_destroy(producer_);
}

size_t DedupeLogKafka::PollOnce(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, timeout_ms);
  if (!m) return 0;
  size_t applied = 0;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->payload) {  // no payload: a tombstone
    auto entry = dedupe::DecodeEntry(std::string_view(static_cast<const char*>(m->payload), m->len));
    if (!entry) {
      invalid_.Increment();
    } else if (stage_.ApplyEntry(*entry)) {
      applied_.Increment();
      applied = 1;
    }
  } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("dedupe index log: {}", rd_kafka_message_errstr(m));
  }
  rd_kafka_message_destroy(m);
  return applied;
}

size_t DedupeLogKafka::Restore(std::chrono::milliseconds stall_timeout, const RestoreProgress& progress) {
  // Where to stop: each partition's high watermark now.
  std::map<int32_t, int64_t> remaining;
  size_t total = 0;
  for (int i = 0; i < assignment_->cnt; ++i) {
    int64_t low = 0, high = 0;
    const auto err = rd_kafka_query_watermark_offsets(consumer_, topic_.c_str(), assignment_->elems[i].partition, &low,
                                                      &high, static_cast<int>(stall_timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("dedupe index log: watermarks of " + topic_ + ": " + rd_kafka_err2str(err));
    }
    if (high > low) {
      remaining[assignment_->elems[i].partition] = high;
      total += static_cast<size_t>(high - low);
    }
  }
  if (const auto err = rd_kafka_assign(consumer_, assignment_); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("dedupe index log: assign: ") + rd_kafka_err2str(err));
  }
  size_t applied = 0;
  size_t read = 0;
  auto report_at = std::chrono::steady_clock::now();
  // No limit on the whole restore (a large index takes minutes, and /healthz answers
  // meanwhile), only on a stall: no record and no end of partition for stall_timeout.
  auto moved_at = std::chrono::steady_clock::now();
  while (!remaining.empty() && !cancel_restore_.load()) {
    const auto now = std::chrono::steady_clock::now();
    if (now - moved_at > stall_timeout) {
      throw std::runtime_error(fmt::format(
          "dedupe index log: restore from {} stalled: nothing read for {} s ({} of at most {} records read, {} "
          "partitions unfinished)",
          topic_, std::chrono::duration_cast<std::chrono::seconds>(stall_timeout).count(), read, total,
          remaining.size()));
    }
    if (progress && now >= report_at) {
      progress(applied, read, total);
      report_at = now + std::chrono::milliseconds(200);
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 100);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++read;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) moved_at = now;
    const int32_t partition = m->partition;
    const int64_t next = m->offset + 1;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->payload) {
      auto entry = dedupe::DecodeEntry(std::string_view(static_cast<const char*>(m->payload), m->len));
      if (!entry) {
        invalid_.Increment();
      } else if (stage_.ApplyEntry(*entry)) {
        applied_.Increment();
        ++applied;
      }
    }
    const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    rd_kafka_message_destroy(m);
    auto it = remaining.find(partition);
    if (it != remaining.end() && (eof || next >= it->second)) remaining.erase(it);
  }
  if (progress) progress(applied, read, total);
  return applied;
}

void DedupeLogKafka::Start() {
  follower_ = std::thread([this] {
    while (!stop_.load(std::memory_order_relaxed)) PollOnce(100);
  });
}

void DedupeLogKafka::Stop(std::chrono::milliseconds flush) {
  if (stopped_) return;
  stopped_ = true;
  stop_.store(true);
  if (follower_.joinable()) follower_.join();
  poller_stop_.store(true);
  if (poller_.joinable()) poller_.join();
  rd_kafka_flush(producer_, static_cast<int>(flush.count()));  // serves the last reports here
}

void DedupeLogKafka::Produce(const std::string& key, const std::string* value) {
  uint64_t number = 0;
  {
    std::lock_guard lock(gate_mu_);
    number = next_++;
    pending_.push_back(false);
  }
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(value ? const_cast<char*>(value->data()) : nullptr, value ? value->size() : 0),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(number)), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // The producer failed for good (the error callback may not have run yet): this
    // entry is lost, and so is every later one. Not settled: commits stop here.
    dropped_.Increment();
    OnError(producer_, err, "produce refused");
  } else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Never block a worker: a lost entry only means one replica may miss one copy.
    dropped_.Increment();
    Settle(number);  // no report comes for a refused write
  } else if (value) {
    published_.Increment();
  } else {
    tombstones_.Increment();
  }
}

void DedupeLogKafka::Publish(const dedupe::IndexEntry& entry) {
  const std::string value = dedupe::EncodeEntry(entry);
  Produce(entry.id, &value);
}

void DedupeLogKafka::Expire(const std::string& id) { Produce(id, nullptr); }

void DedupeLogKafka::OnDelivery(const rd_kafka_message_t* message) {
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failed_.Increment();
    // A topic that is down fails every entry: one line per 10 s, with the count.
    ++failed_unlogged_;
    const auto now = std::chrono::steady_clock::now();
    if (now - failed_logged_at_ >= std::chrono::seconds(10)) {
      spdlog::warn("dedupe index log: {} entries not delivered to {} (their records are committed without them): {}",
                   failed_unlogged_, topic_, rd_kafka_err2str(message->err));
      failed_logged_at_ = now;
      failed_unlogged_ = 0;
    }
  }
  Settle(reinterpret_cast<uint64_t>(message->_private));
}

void DedupeLogKafka::Settle(uint64_t number) {
  bool moved = false;
  {
    std::lock_guard lock(gate_mu_);
    pending_[number - settled_through_ - 1] = true;
    while (!pending_.empty() && pending_.front()) {
      pending_.pop_front();
      ++settled_through_;
      moved = true;
    }
  }
  if (!moved) return;
  gate_cv_.notify_all();
  NotifySettledListener();
}

void DedupeLogKafka::NotifySettledListener() {
  std::lock_guard lock(listener_mu_);
  if (settled_listener_) settled_listener_();
}

void DedupeLogKafka::OnError(rd_kafka_t* rk, int err, const char* reason) {
  if (err != RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::warn("kafka {}: {}: {}", rd_kafka_name(rk), rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
                 reason);
    return;
  }
  char why[512];
  const rd_kafka_resp_err_t code = rd_kafka_fatal_error(rk, why, sizeof why);
  Break(fmt::format("dedupe index log: producer failed for good ({}: {}): entries from now on are lost",
                    rd_kafka_err2name(code), why));
}

void DedupeLogKafka::Break(const std::string& why) {
  {
    std::lock_guard lock(gate_mu_);
    if (!broken_.empty()) return;
    broken_ = why;
    broken_through_ = settled_through_;
  }
  spdlog::error("{}", why);
  gate_cv_.notify_all();
  NotifySettledListener();
}

std::string DedupeLogKafka::Broken() const {
  std::lock_guard lock(gate_mu_);
  return broken_;
}

void DedupeLogKafka::FailProducerForTesting(const char* reason) {
  rd_kafka_test_fatal_error(producer_, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason);
}

void DedupeLogKafka::SetSettledListener(std::function<void()> listener) {
  std::lock_guard lock(listener_mu_);
  settled_listener_ = std::move(listener);
}

uint64_t DedupeLogKafka::Mark() {
  std::lock_guard lock(gate_mu_);
  return next_ - 1;
}

bool DedupeLogKafka::SettledLocked(uint64_t mark) const {
  // Once broken, writes still reported afterwards failed with the producer: not settled.
  return (broken_.empty() ? settled_through_ : broken_through_) >= mark;
}

bool DedupeLogKafka::Settled(uint64_t mark) const {
  std::lock_guard lock(gate_mu_);
  return SettledLocked(mark);
}

bool DedupeLogKafka::WaitSettled(uint64_t mark, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(gate_mu_);
  gate_cv_.wait_until(lock, deadline, [&] { return SettledLocked(mark) || !broken_.empty(); });
  return SettledLocked(mark);
}

}  // namespace ingestd
