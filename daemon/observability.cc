#include "daemon/observability.h"

#include <fmt/format.h>
#include <prometheus/metric_family.h>

#include <algorithm>

#include "daemon/admin_handlers.h"
#include "daemon/build_info.h"
#include "daemon/kafka_runtime.h"

namespace ingestd {
namespace {

// Sum of the series of the family `name` (counters and gauges): every one, or with a
// `label`, those whose label has `value`.
double Sum(const std::vector<prometheus::MetricFamily>& families, const std::string& name, std::string_view label = {},
           std::string_view value = {}) {
  double total = 0;
  for (const auto& f : families) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      const bool selected = label.empty() || std::any_of(m.label.begin(), m.label.end(), [&](const auto& l) {
                              return l.name == label && l.value == value;
                            });
      if (selected) total += f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return total;
}

// Counters only grow; a registry that started over must not print a wrapped count.
int64_t Delta(uint64_t now, uint64_t before) { return now >= before ? static_cast<int64_t>(now - before) : 0; }

double Seconds(std::chrono::system_clock::duration d) {
  return std::max(0.0, std::chrono::duration<double>(d).count());
}

LogField Decimal(std::string_view key, double v) { return {key, fmt::format("{:.1f}", v), true}; }

}  // namespace

std::shared_ptr<const Config> WithStatisticsInterval(std::shared_ptr<const Config> config) {
  constexpr const char* kKey = "statistics.interval.ms";
  if (config->kafka.consumer.count(kKey) && config->kafka.producer.count(kKey)) return config;
  auto copy = std::make_shared<Config>(*config);
  copy->kafka.consumer.emplace(kKey, kDefaultStatisticsIntervalMs);
  copy->kafka.producer.emplace(kKey, kDefaultStatisticsIntervalMs);
  return copy;
}

Observability::Observability(std::shared_ptr<const Config> config, prometheus::Registry& registry, Readiness& readiness,
                             const Clock& clock, std::chrono::milliseconds stall_timeout)
    : config_(std::move(config)),
      registry_(registry),
      readiness_(readiness),
      kafka_stats_(registry),
      ready_(prometheus::BuildGauge()
                 .Name("ingestd_ready")
                 .Help("1 while /readyz answers 200 (consuming normally), else 0.")
                 .Register(registry)
                 .Add({})),
      tap_(config_->admin.tap),
      warnings_(clock),
      clock_(clock),
      // Progress: records taken in, routed out, or committed; pending: records in
      // flight, read from the registry, where the pipeline and the runtime count them,
      // and records waiting in the assigned partitions (librdkafka's statistics): a
      // consumer that stopped fetching with nothing in flight is stuck too.
      watchdog_(
          clock, stall_timeout,
          [this] {
            const auto families = registry_.Collect();
            return static_cast<uint64_t>(Sum(families, "ingestd_records_in_total") +
                                         Sum(families, "ingestd_records_out_total") +
                                         Sum(families, "ingestd_offset_commits_total"));
          },
          [this] {
            const auto in_flight = static_cast<int64_t>(Sum(registry_.Collect(), "ingestd_inflight_records"));
            return ProgressWatchdog::Pending{in_flight, WaitingInput()};
          }),
      started_at_(clock.Now()),
      progress_at_(started_at_) {
  RegisterBuildInfo(registry);
  UpdateReady();
}

Observability::Totals Observability::TotalsOf(const std::vector<prometheus::MetricFamily>& families) {
  const auto out = [&](const char* output) {
    return static_cast<uint64_t>(Sum(families, "ingestd_records_out_total", "output", output));
  };
  return {static_cast<uint64_t>(Sum(families, "ingestd_records_in_total")), out("enriched"), out("duplicates"),
          out("dead_letter")};
}

void Observability::LogProgress() {
  const auto now = clock_.Now();
  const auto families = registry_.Collect();
  const Totals t = TotalsOf(families);
  const Totals& last = progress_totals_;
  const double seconds = Seconds(now - progress_at_);
  const int64_t in = Delta(t.in, last.in);
  Log(spdlog::level::info, "progress",
      {Decimal("seconds", seconds), LogField::Int("in", in),
       Decimal("in_per_second", seconds > 0 ? static_cast<double>(in) / seconds : 0.0),
       LogField::Int("enriched", Delta(t.enriched, last.enriched)),
       LogField::Int("duplicates", Delta(t.duplicates, last.duplicates)),
       LogField::Int("dead_letters", Delta(t.dead_letters, last.dead_letters)),
       LogField::Int("in_flight", static_cast<int64_t>(Sum(families, "ingestd_inflight_records"))),
       LogField::Int("waiting", WaitingInput()),
       LogField::Int("partitions", static_cast<int64_t>(Sum(families, "ingestd_assigned_partitions")))});
  progress_at_ = now;
  progress_totals_ = t;
}

void Observability::MaybeLogProgress() {
  const auto interval = std::chrono::milliseconds(config_->logging.progress_interval_ms);
  if (interval.count() <= 0) return;
  const auto now = clock_.Now();
  if (now < progress_at_) {
    progress_at_ = now;  // the clock went back: count the interval from here
  } else if (now - progress_at_ >= interval) {
    LogProgress();
  }
}

void Observability::LogSummaryLine(const std::vector<prometheus::MetricFamily>& families, double seconds,
                                   LogField pending, std::string_view forced) {
  const Totals t = TotalsOf(families);
  LogFields fields{Decimal("seconds", seconds),
                   LogField::Int("in", static_cast<int64_t>(t.in)),
                   LogField::Int("enriched", static_cast<int64_t>(t.enriched)),
                   LogField::Int("duplicates", static_cast<int64_t>(t.duplicates)),
                   LogField::Int("dead_letters", static_cast<int64_t>(t.dead_letters)),
                   std::move(pending)};
  if (!forced.empty()) fields.push_back({"forced", std::string(forced)});
  Log(spdlog::level::info, "summary", fields);
}

void Observability::LogSummary(size_t left_uncommitted) {
  std::lock_guard lock(summary_->mu);
  if (summary_->logged) return;
  LogSummaryLine(registry_.Collect(), Seconds(clock_.Now() - started_at_),
                 LogField::Int("uncommitted", static_cast<int64_t>(left_uncommitted)), {});
  summary_->logged = true;
}

std::function<void(std::string_view)> Observability::ForcedSummary(
    std::shared_ptr<const prometheus::Registry> registry) const {
  return [registry = std::move(registry), started_at = started_at_, summary = summary_](std::string_view why) {
    // An orderly summary being written now is left to finish (it is the better line);
    // a thread stuck holding the lock must not keep the process from exiting.
    std::unique_lock lock(summary->mu, std::chrono::seconds(1));
    if (!lock.owns_lock() || summary->logged) return;
    const auto families = registry->Collect();
    LogSummaryLine(families, Seconds(std::chrono::system_clock::now() - started_at),
                   LogField::Int("in_flight", static_cast<int64_t>(Sum(families, "ingestd_inflight_records"))), why);
    summary->logged = true;
  };
}

std::function<std::string()> Observability::StuckCheck() {
  return [this] { return watchdog_.Check().reason; };
}

void Observability::AddHandlers(AdminServer& admin) {
  admin.Handle("GET", "/config", ConfigHandler(config_));
  admin.Handle("GET", "/tap", TapHandler(tap_));
}

void Observability::Attach(KafkaRuntime& runtime) {
  runtime.SetStatisticsListener([this](std::string_view, std::string_view json) { OnStatistics(json); });
  runtime.SetOutputListener([this](const Processed& p, const InputPosition& at) { OnOutput(p, &at); });
}

void Observability::OnOutput(const Processed& p, const InputPosition* position) {
  tap_.Record(p);
  if (p.output != Output::kDeadLetter) return;
  const DeadLetterInfo& d = p.dead_letter;
  LogFields fields{{"stage", d.stage}, {"reason", d.reason}, {"error", d.message}};
  if (position != nullptr) {
    fields.push_back({"topic", position->topic});
    fields.push_back({"partition", std::to_string(position->partition)});
    fields.push_back({"offset", std::to_string(position->offset)});
  }
  (void)warnings_.Warn(d.stage + "/" + d.reason, "dead letter", std::move(fields));
}

void Observability::OnStatistics(std::string_view json) {
  const KafkaStatsSummary summary = kafka_stats_.Update(json);
  if (!summary.ok || summary.type != "consumer") return;
  std::lock_guard lock(waiting_mu_);
  waiting_ = summary.waiting;
  waiting_at_ = clock_.Now();
}

int64_t Observability::WaitingInput() {
  std::lock_guard lock(waiting_mu_);
  if (!waiting_at_ || clock_.Now() - *waiting_at_ > kStatisticsMaxAge) return 0;
  return waiting_;
}

void Observability::UpdateReady() { ready_.Set(readiness_.Ready() ? 1 : 0); }

void Observability::StartTimer(boost::asio::io_context& io) {
  timer_.emplace(io);
  Tick();
}

void Observability::Tick() {
  UpdateReady();
  if (++ticks_ % 60 == 0) (void)warnings_.ReportSuppressed();
  MaybeLogProgress();
  timer_->expires_after(std::chrono::seconds(1));
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

}  // namespace ingestd
