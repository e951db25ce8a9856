// One dedupe replica over the shared index topic (daemon/dedupe_log_kafka.h), for
// tests/daemon/dedupe_log_kafka_test.cc and bench/dedupe_replication.cc: its own
// registry, normalize and dedupe stages, and log. Header-only, no test framework.
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "config/config.h"
#include "daemon/dedupe_log_kafka.h"
#include "stages/clock.h"
#include "stages/dedupe/dedupe_stage.h"
#include "stages/normalize/normalize_stage.h"
#include "tests/support/prose.h"

namespace ingestd::testing {

struct DedupeReplica {
  // With `follow`, restores the index from the topic (30 s stall limit), attaches the
  // log and follows the topic; without, the caller restores (log->Restore).
  explicit DedupeReplica(const Config& config, bool follow = true) : following(follow) {
    using namespace std::chrono_literals;
    normalize = MakeNormalizeStage(NormalizeConfig{}, StageContext{&registry, &clock});
    stage_owner = MakeDedupeStage(config.dedupe, StageContext{&registry, &clock});
    stage = dynamic_cast<DedupeStage*>(stage_owner.get());
    log = std::make_unique<DedupeLogKafka>(config, *stage, registry);
    if (!following) return;
    restored = log->Restore(30s);
    stage->SetLog(log.get());
    log->Start();
  }
  ~DedupeReplica() {
    if (!following) return;
    log->Stop();
    stage->SetLog(nullptr);
  }
  DedupeReplica(const DedupeReplica&) = delete;
  DedupeReplica& operator=(const DedupeReplica&) = delete;

  // Normalizes and judges one article (at https://x.example/<id>).
  Article Process(const std::string& id, const std::string& text) {
    Article a;
    a.id = id;
    a.url = "https://x.example/" + id;
    a.text = text;
    if (normalize->Process(a).verdict != Verdict::kContinue) throw std::runtime_error("normalize refused " + id);
    (void)stage->Process(a);
    return a;
  }
  // Polls (1 ms) until the index holds `n` entries; false at the deadline.
  bool WaitForEntries(uint64_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stage->Stats().entries < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling against a deadline
    }
    return true;
  }

  const bool following;
  prometheus::Registry registry;
  SystemClock clock;
  std::unique_ptr<Stage> normalize;
  std::unique_ptr<Stage> stage_owner;
  DedupeStage* stage = nullptr;
  std::unique_ptr<DedupeLogKafka> log;
  size_t restored = 0;
};

}  // namespace ingestd::testing
