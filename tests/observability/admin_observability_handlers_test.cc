// The admin endpoints issue 8 adds or extends (/healthz, /config, /tap), through
// AdminServer::Dispatch: the routing the server uses, without a socket.
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/admin_handlers.h"
#include "daemon/admin_server.h"
#include "daemon/exit_watchdog.h"
#include "daemon/logging.h"
#include "daemon/observability.h"

namespace ingestd {
namespace {

using std::chrono::seconds;

// The default logger writes into a string while this lives; stderr again afterwards,
// even when an assertion ends the test early.
class CapturedLog {
 public:
  explicit CapturedLog(const LoggingConfig& config = {}) {
    SetUpLogging(config, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  ~CapturedLog() {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr)));
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  [[nodiscard]] std::string Text() const { return out_.str(); }
  [[nodiscard]] std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  std::ostringstream out_;
};

class AdminObservabilityTest : public ::testing::Test {
 protected:
  AdminResponse Get(const std::string& path, const std::string& query = "") {
    return admin_.Dispatch(AdminRequest{"GET", path, query, ""});
  }

  boost::asio::io_context io_;
  AdminServer admin_{io_, "127.0.0.1", 0};
  Readiness readiness_;
};

TEST_F(AdminObservabilityTest, HealthzFailsWhileTheLoopIsStuckAndRecovers) {
  std::string stuck;
  admin_.Handle("GET", "/healthz", HealthzHandler(readiness_, [&stuck] { return stuck; }));
  EXPECT_EQ(Get("/healthz").status, 200);
  stuck = "stuck: no progress for 130 s with 12 records in flight";
  const auto r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("no progress"), std::string::npos) << r.body;
  stuck.clear();
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(AdminObservabilityTest, HealthzFailsAfterAFatalError) {
  admin_.Handle("GET", "/healthz", HealthzHandler(readiness_, [] { return std::string(); }));
  readiness_.MarkFatal("kafka: fatal idempotent producer error");
  const auto r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("fatal idempotent producer error"), std::string::npos) << r.body;
}

// The watchdog as wired: in-flight records in the registry and no progress.
TEST_F(AdminObservabilityTest, ObservabilityWatchdogReadsProgressAndPendingFromTheRegistry) {
  prometheus::Registry registry;
  ManualClock clock;
  auto config = ParseConfig("", "test.yaml");
  Observability obs(config, registry, readiness_, clock, seconds(60));
  auto& inflight = prometheus::BuildGauge().Name("ingestd_inflight_records").Help("h").Register(registry).Add({});
  auto& in = prometheus::BuildCounter().Name("ingestd_records_in_total").Help("h").Register(registry).Add({});
  admin_.Handle("GET", "/healthz", HealthzHandler(readiness_, obs.StuckCheck()));

  inflight.Set(5);
  EXPECT_EQ(Get("/healthz").status, 200);
  clock.Advance(seconds(61));
  EXPECT_EQ(Get("/healthz").status, 503);
  in.Increment();
  EXPECT_EQ(Get("/healthz").status, 200);
  inflight.Set(0);
  clock.Advance(seconds(600));
  EXPECT_EQ(Get("/healthz").status, 200);  // idle
}

// A consumer statistics document: one partition per {end (ls_offset), fetch position
// (next_offset), records fetched and queued (fetchq_cnt)}.
struct PartitionStats {
  int64_t end, next, queued;
};
std::string ConsumerStats(std::initializer_list<PartitionStats> partitions) {
  std::string out;
  int id = 0;
  for (const auto& p : partitions) {
    if (!out.empty()) out += ",";
    out += "\"" + std::to_string(id) + "\":{\"partition\":" + std::to_string(id) +
           ",\"desired\":true,\"ls_offset\":" + std::to_string(p.end) + ",\"hi_offset\":" + std::to_string(p.end + 1) +
           ",\"next_offset\":" + std::to_string(p.next) + ",\"fetchq_cnt\":" + std::to_string(p.queued) +
           ",\"consumer_lag\":" + std::to_string(p.end) + "}";
    ++id;
  }
  return R"({"type":"consumer","topics":{"articles.raw":{"partitions":{)" + out + "}}}}";
}

// Records waiting in the assigned partitions count as pending work: a consumer that
// stopped fetching with nothing in flight fails /healthz. Records it fetched past
// (aborted transactions, markers: the position is at the end) and an old document
// do not count.
TEST_F(AdminObservabilityTest, ObservabilityWatchdogCountsRecordsWaitingInTheAssignedPartitions) {
  prometheus::Registry registry;
  ManualClock clock;
  auto config = ParseConfig("", "test.yaml");
  Observability obs(config, registry, readiness_, clock, seconds(60));
  auto& in = prometheus::BuildCounter().Name("ingestd_records_in_total").Help("h").Register(registry).Add({});
  admin_.Handle("GET", "/healthz", HealthzHandler(readiness_, obs.StuckCheck()));

  // Fetched to the end (an aborted transaction's tail behind the position): idle.
  obs.OnStatistics(ConsumerStats({{120, 120, 0}, {81, 81, 0}}));
  EXPECT_EQ(obs.WaitingInput(), 0);
  EXPECT_EQ(Get("/healthz").status, 200);
  clock.Advance(seconds(61));
  obs.OnStatistics(ConsumerStats({{120, 120, 0}, {81, 81, 0}}));
  EXPECT_EQ(Get("/healthz").status, 200);

  // New records, none fetched; some fetched and queued on the other partition.
  obs.OnStatistics(ConsumerStats({{320, 120, 0}, {81, 75, 6}}));
  EXPECT_EQ(obs.WaitingInput(), 200 + 6 + 6);
  EXPECT_EQ(Get("/healthz").status, 200);
  clock.Advance(seconds(61));
  obs.OnStatistics(ConsumerStats({{320, 120, 0}, {81, 75, 6}}));
  const auto r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("212 waiting in the assigned partitions"), std::string::npos) << r.body;

  in.Increment();  // it consumes again
  EXPECT_EQ(Get("/healthz").status, 200);

  // Statistics stopped: the last document is not trusted once older than kStatisticsMaxAge.
  clock.Advance(Observability::kStatisticsMaxAge + seconds(1));
  EXPECT_EQ(obs.WaitingInput(), 0);
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(AdminObservabilityTest, ConfigServesEffectiveConfigAsJson) {
  auto config = ParseConfig("kafka:\n  brokers: b:9092\n  producer:\n    sasl.password: pw123\n", "test.yaml");
  admin_.Handle("GET", "/config", ConfigHandler(config));
  const auto r = Get("/config");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  ASSERT_FALSE(d.HasParseError()) << r.body;
  EXPECT_STREQ(d["kafka"]["brokers"].GetString(), "b:9092");
  EXPECT_EQ(r.body.find("pw123"), std::string::npos) << r.body;
}

TEST_F(AdminObservabilityTest, TapIsNotFoundWhenOff) {
  Tap tap(false);
  admin_.Handle("GET", "/tap", TapHandler(tap));
  EXPECT_EQ(Get("/tap", "n=10").status, 404);
}

TEST_F(AdminObservabilityTest, TapServesTheLastNAsJsonLines) {
  Tap tap(true);
  admin_.Handle("GET", "/tap", TapHandler(tap));
  for (int i = 0; i < 4; ++i) {
    Processed p;
    p.key = "k" + std::to_string(i);
    p.value = "{\"n\":" + std::to_string(i) + "}";
    tap.Record(p);
  }
  const auto r = Get("/tap", "n=2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-ndjson");
  EXPECT_EQ(r.body,
            "{\"output\":\"enriched\",\"key\":\"k2\",\"event\":{\"n\":2}}\n"
            "{\"output\":\"enriched\",\"key\":\"k3\",\"event\":{\"n\":3}}\n");
  EXPECT_EQ(Get("/tap", "n=0").status, 400);
  EXPECT_EQ(Get("/tap", "n=1000").status, 400);
  EXPECT_EQ(Get("/tap", "n=x").status, 400);
}

// Dead letters reach the logs as rate-limited warnings; the tap sees every output.
TEST(ObservabilityOutputTest, LogsDeadLettersAtALimitedRateAndTapsEveryOutput) {
  LoggingConfig logging;
  logging.format = "json";
  CapturedLog log(logging);
  prometheus::Registry registry;
  ManualClock clock;
  Readiness readiness;
  Observability obs(ParseConfig("", "test.yaml", {"admin.tap=true"}), registry, readiness, clock);
  Processed dead;
  dead.output = Output::kDeadLetter;
  dead.dead_letter = {"parse", "invalid_json", "malformed JSON"};
  for (int i = 0; i < 50; ++i) {
    const InputPosition at{"articles.raw", 2, 100 + i};
    obs.OnOutput(dead, &at);
  }
  Processed ok;
  ok.key = "k";
  ok.value = "{}";
  obs.OnOutput(ok);

  const auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 10u) << log.Text();  // RecordWarnings' default burst
  EXPECT_NE(lines[0].find("\"msg\":\"dead letter\",\"stage\":\"parse\",\"reason\":\"invalid_json\""), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("\"topic\":\"articles.raw\",\"partition\":\"2\",\"offset\":\"100\""), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[9].find("\"offset\":\"109\""), std::string::npos) << lines[9];
  EXPECT_EQ(obs.tap().Last(100).size(), 51u);
}

// The progress lines count what moved since the previous one; the summary, the whole run.
TEST(ObservabilityProgressTest, LogsWhatMovedSinceTheLastLineAndTheTotalsAtExit) {
  CapturedLog log;
  prometheus::Registry registry;
  ManualClock clock;
  Readiness readiness;
  Observability obs(ParseConfig("", "test.yaml"), registry, readiness, clock);
  auto& in = prometheus::BuildCounter().Name("ingestd_records_in_total").Help("h").Register(registry).Add({});
  auto& outputs = prometheus::BuildCounter().Name("ingestd_records_out_total").Help("h").Register(registry);
  auto& enriched = outputs.Add({{"output", "enriched"}});
  auto& duplicates = outputs.Add({{"output", "duplicates"}});
  auto& dead = outputs.Add({{"output", "dead_letter"}});
  auto& inflight = prometheus::BuildGauge().Name("ingestd_inflight_records").Help("h").Register(registry).Add({});
  prometheus::BuildGauge().Name("ingestd_assigned_partitions").Help("h").Register(registry).Add({}).Set(3);

  in.Increment(100);
  enriched.Increment(80);
  duplicates.Increment(5);
  dead.Increment(3);
  inflight.Set(12);
  clock.Advance(seconds(10));
  obs.LogProgress();
  in.Increment(50);
  enriched.Increment(55);
  duplicates.Increment(2);
  dead.Increment(5);
  inflight.Set(0);
  clock.Advance(seconds(5));
  obs.LogProgress();
  obs.LogSummary(4);

  const auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 3u) << log.Text();
  EXPECT_NE(lines[0].find("progress seconds=10.0 in=100 in_per_second=10.0 enriched=80 duplicates=5 dead_letters=3 "
                          "in_flight=12 waiting=0 partitions=3"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("progress seconds=5.0 in=50 in_per_second=10.0 enriched=55 duplicates=2 dead_letters=5 "
                          "in_flight=0 waiting=0 partitions=3"),
            std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("summary seconds=15.0 in=150 enriched=135 duplicates=7 dead_letters=8 uncommitted=4"),
            std::string::npos)
      << lines[2];
}

// The timer's check: a line once the interval has passed, none when it is 0; a clock
// that went back starts the interval again instead of silencing the lines.
TEST(ObservabilityProgressTest, WritesALineEachIntervalAndNoneWhenOff) {
  CapturedLog log;
  const auto lines = [&log] { return log.Lines().size(); };
  prometheus::Registry registry;
  ManualClock clock;
  Readiness readiness;
  Observability obs(ParseConfig("logging: {progress_interval_ms: 10000}\n", "test.yaml"), registry, readiness, clock);
  clock.Advance(seconds(9));
  obs.MaybeLogProgress();
  EXPECT_EQ(lines(), 0u) << log.Text();
  clock.Advance(seconds(1));
  obs.MaybeLogProgress();
  EXPECT_EQ(lines(), 1u) << log.Text();
  obs.MaybeLogProgress();
  EXPECT_EQ(lines(), 1u) << log.Text();
  clock.Advance(-std::chrono::hours(1));
  obs.MaybeLogProgress();
  clock.Advance(seconds(10));
  obs.MaybeLogProgress();
  EXPECT_EQ(lines(), 2u) << log.Text();
  EXPECT_EQ(log.Text().find("seconds=-"), std::string::npos) << log.Text();

  prometheus::Registry other;
  Observability off(ParseConfig("logging: {progress_interval_ms: 0}\n", "test.yaml"), other, readiness, clock);
  clock.Advance(std::chrono::hours(24));
  off.MaybeLogProgress();
  EXPECT_EQ(lines(), 2u) << log.Text();
}

TEST(StatisticsIntervalTest, DefaultsOnlyWhereNotConfigured) {
  auto config = ParseConfig("kafka:\n  consumer:\n    statistics.interval.ms: \"250\"\n", "test.yaml");
  auto with = WithStatisticsInterval(config);
  EXPECT_EQ(with->kafka.consumer.at("statistics.interval.ms"), "250");
  EXPECT_EQ(with->kafka.producer.at("statistics.interval.ms"), kDefaultStatisticsIntervalMs);
}

// The forced summary (a second signal, the grace period): in flight instead of
// uncommitted, and why. One summary line per run, whichever path comes first.
class ForcedSummaryTest : public ::testing::Test {
 protected:
  ForcedSummaryTest() {
    in_.Increment(40);
    outputs_.Add({{"output", "enriched"}}).Increment(25);
    inflight_.Set(15);
  }
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  ManualClock clock_;
  Readiness readiness_;
  Observability obs_{ParseConfig("", "test.yaml"), *registry_, readiness_, clock_};
  prometheus::Counter& in_ =
      prometheus::BuildCounter().Name("ingestd_records_in_total").Help("h").Register(*registry_).Add({});
  prometheus::Family<prometheus::Counter>& outputs_ =
      prometheus::BuildCounter().Name("ingestd_records_out_total").Help("h").Register(*registry_);
  prometheus::Gauge& inflight_ =
      prometheus::BuildGauge().Name("ingestd_inflight_records").Help("h").Register(*registry_).Add({});
};

TEST_F(ForcedSummaryTest, SaysWhatWasInFlightAndWhyOnce) {
  CapturedLog log;
  const auto forced = obs_.ForcedSummary(registry_);
  forced("second_signal");
  forced("grace_period");  // the watchdog after a second signal: no second line
  obs_.LogSummary(3);      // nor from the orderly path
  const auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u) << log.Text();
  EXPECT_NE(lines[0].find("in=40 enriched=25 duplicates=0 dead_letters=0 in_flight=15 forced=second_signal"),
            std::string::npos)
      << lines[0];
}

TEST_F(ForcedSummaryTest, NothingAfterTheOrderlySummary) {
  CapturedLog log;
  obs_.LogSummary(0);
  obs_.ForcedSummary(registry_)("grace_period");
  const auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u) << log.Text();
  EXPECT_NE(lines[0].find("uncommitted=0"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("forced="), std::string::npos) << lines[0];
}

// The grace period's end, as `ingestd run` wires it: the watchdog's thread writes the
// forced summary and ends the process with 1, whatever the other threads are doing.
// (Death tests fork; "threadsafe" re-executes the binary for them, as the watchdog's
// thread needs.)
TEST_F(ForcedSummaryTest, ExitWatchdogWritesTheSummaryAndExitsOne) {
  const auto style = GTEST_FLAG_GET(death_test_style);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto wait_forever = [] {
    for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  EXPECT_EXIT(
      {
        SetUpLogging(LoggingConfig{}, std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr));
        ExitWatchdog watchdog(obs_.ForcedSummary(registry_));
        watchdog.Arm(std::chrono::milliseconds(50));
        wait_forever();
      },
      ::testing::ExitedWithCode(1),
      "shutdown grace period passed; exiting now.*summary seconds=[0-9.]+ in=40 enriched=25 duplicates=0 "
      "dead_letters=0 in_flight=15 forced=grace_period");
  GTEST_FLAG_SET(death_test_style, style);
}

}  // namespace
}  // namespace ingestd
