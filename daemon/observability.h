// Issue 8's part of `ingestd run`, wired in one place: librdkafka statistics ->
// KafkaStatsProbe (lag, producer queue), ingestd_build_info, ingestd_ready, the
// stuck-loop watchdog behind /healthz, GET /config, GET /tap, and dead letters
// logged as rate-limited warnings (examples in the logs; the metrics count them all).
//
//   Observability obs(config, registry, readiness, clock);   // before the runtime
//   admin.Handle("GET", "/healthz", HealthzHandler(readiness, obs.StuckCheck()));
//   obs.AddHandlers(admin);                                  // /config, /tap
//   obs.Attach(runtime);                                     // before runtime.Start()
//   obs.StartTimer(io);                                      // ingestd_ready, every second
//   ...
//   obs.LogSummary(runtime.LeftUncommitted());               // at exit
//
// Lifecycle: lives in RunCommand's scope, longer than the runtime and the admin
// server. Threading: the statistics listener runs on librdkafka's threads, the tap on
// worker threads, handlers and the timer on the control thread (io_context).
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/admin_server.h"
#include "daemon/kafka_stats.h"
#include "daemon/logging.h"
#include "daemon/progress_watchdog.h"
#include "daemon/readiness.h"
#include "daemon/tap.h"
#include "stages/clock.h"

namespace ingestd {

class KafkaRuntime;

// librdkafka emits no statistics unless asked; ingestd asks every 5 s unless
// kafka.consumer / kafka.producer set `statistics.interval.ms` themselves.
inline constexpr const char* kDefaultStatisticsIntervalMs = "5000";
[[nodiscard]] std::shared_ptr<const Config> WithStatisticsInterval(std::shared_ptr<const Config> config);

class Observability {
 public:
  // No progress for this long while records are in flight or wait in the assigned
  // partitions: /healthz fails. Longer than a rebalance or a broker fail-over;
  // shorter than anyone waits for a stuck pod.
  static constexpr std::chrono::seconds kStallTimeout{120};
  // A consumer statistics document older than this (statistics stopped, or a very
  // long `statistics.interval.ms`) is not used: the watchdog counts in-flight records only.
  static constexpr std::chrono::seconds kStatisticsMaxAge{60};

  Observability(std::shared_ptr<const Config> config, prometheus::Registry& registry, Readiness& readiness,
                const Clock& clock, std::chrono::milliseconds stall_timeout = kStallTimeout);

  // For HealthzHandler: a non-empty reason when the processing loop is stuck.
  [[nodiscard]] std::function<std::string()> StuckCheck();
  // GET /config and GET /tap.
  void AddHandlers(AdminServer& admin);
  // Statistics and output listeners (tap, dead-letter warnings). Before runtime.Start().
  void Attach(KafkaRuntime& runtime);
  // Keeps ingestd_ready current (every second, on `io`), reports suppressed
  // warnings once a minute and logs progress every `logging.progress_interval_ms`.
  void StartTimer(boost::asio::io_context& io);
  // One info line, "progress", with fields: what came in and went out since the last
  // one (or the start), the input rate, and what is pending (in flight, waiting in the
  // assigned partitions).
  void LogProgress();
  // The timer's check (control thread): LogProgress() when `logging.progress_interval_ms`
  // has passed since the last line. A clock that went back restarts the interval.
  void MaybeLogProgress();
  // One info line, "summary", with the run's totals and length and the records left
  // uncommitted (KafkaRuntime::LeftUncommitted). On an orderly exit, once the runtime
  // has stopped.
  void LogSummary(size_t left_uncommitted);
  // The same line for an exit that cannot wait (a second signal, the grace period's
  // end), from the metrics alone, on whichever thread ends the process: `in_flight`
  // (ingestd_inflight_records as the consumer thread last set it: consumed, not
  // committed) instead of `uncommitted`, and `forced` says why. The function holds
  // `registry` (this object's), not this object, so it may outlive it. One summary per
  // run: it writes nothing once LogSummary has, and waits for one being written.
  [[nodiscard]] std::function<void(std::string_view why)> ForcedSummary(
      std::shared_ptr<const prometheus::Registry> registry) const;

  [[nodiscard]] Tap& tap() { return tap_; }
  [[nodiscard]] KafkaStatsProbe& kafka_stats() { return kafka_stats_; }
  void UpdateReady();
  // One librdkafka statistics document (the listener Attach() installs calls this).
  void OnStatistics(std::string_view json);
  // Records waiting unconsumed in the assigned partitions (KafkaStatsSummary::waiting
  // of the last consumer statistics document); zero without a recent one.
  [[nodiscard]] int64_t WaitingInput();
  // What the output listener does with each record (worker threads).
  // A dead letter is logged (rate-limited) with where it was read, when known.
  void OnOutput(const Processed& processed, const InputPosition* position = nullptr);

 private:
  void Tick();

  const std::shared_ptr<const Config> config_;
  prometheus::Registry& registry_;
  Readiness& readiness_;
  KafkaStatsProbe kafka_stats_;
  prometheus::Gauge& ready_;
  Tap tap_;
  RecordWarnings warnings_;
  const Clock& clock_;
  std::mutex waiting_mu_;
  int64_t waiting_ = 0;  // guarded by waiting_mu_: KafkaStatsSummary::waiting of the last consumer document
  std::optional<std::chrono::system_clock::time_point> waiting_at_;  // guarded by waiting_mu_
  ProgressWatchdog watchdog_;
  std::optional<boost::asio::steady_timer> timer_;
  int ticks_ = 0;  // control thread
  // Counts from the registry at the start and at the last progress line (control thread).
  struct Totals {
    uint64_t in = 0, enriched = 0, duplicates = 0, dead_letters = 0;
  };
  [[nodiscard]] static Totals TotalsOf(const std::vector<prometheus::MetricFamily>& families);
  // The "summary" line; `forced` (a second signal, the grace period) only when not empty.
  static void LogSummaryLine(const std::vector<prometheus::MetricFamily>& families, double seconds, LogField pending,
                             std::string_view forced);
  const std::chrono::system_clock::time_point started_at_;
  // Whether the summary line was written (LogSummary or ForcedSummary's function).
  struct SummaryState {
    std::timed_mutex mu;
    bool logged = false;  // guarded by mu
  };
  const std::shared_ptr<SummaryState> summary_ = std::make_shared<SummaryState>();
  std::chrono::system_clock::time_point progress_at_;
  Totals progress_totals_;
};

}  // namespace ingestd
