// The binary's command line, run as users run it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "tests/test_paths.h"

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult Execute(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = prefix + ingestd::testing::BinaryPath() + " " + args + " 2>&1";
  CommandResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Source() { return ingestd::testing::SourceDir(); }

TEST(CliTest, VersionPrintsVersion) {
  const CommandResult r = Execute("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("ingestd ", 0), 0u) << r.output;
}

TEST(CliTest, CheckConfigAcceptsShippedConfigs) {
  for (const char* f : {"config/ingestd.yaml", "config/local.yaml"}) {
    const CommandResult r = Execute("check-config --config " + Source() + "/" + f);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(": ok"), std::string::npos) << r.output;
  }
}

TEST(CliTest, CheckConfigNamesMisspeltKeyAndFails) {
  const auto path = std::filesystem::temp_directory_path() / ("ingestd_cli_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "kafka:\n  brokers: localhost:9092\nruntime:\n  wokers: 3\n";
  const CommandResult r = Execute("check-config --config " + path.string());
  std::filesystem::remove(path);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path.string() + ": runtime.wokers: unknown key (did you mean \"workers\"?)"),
            std::string::npos)
      << r.output;
}

// Validating a config writes nothing; replay saves the learner's snapshot at the end.
TEST(CliTest, CheckConfigWritesNoFileAndReplaySavesTheLearnerSnapshot) {
  const auto dir = std::filesystem::temp_directory_path() / ("ingestd_cli_snap_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto config = dir / "c.yaml";
  const auto snapshot = dir / "learner.snapshot";
  std::ofstream(config)
      << "kafka:\n  brokers: localhost:9092\npipeline:\n  stages: [normalize]\nnormalize:\n  learner:\n"
         "    snapshot: learner.snapshot\n";
  const CommandResult check = Execute("check-config --config " + config.string());
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_FALSE(std::filesystem::exists(snapshot));
  const CommandResult replay = Execute("replay --quiet --config " + config.string() + " --output /dev/null",
                                       "echo '{\"url\":\"https://a.example/1\",\"text\":\"Some text.\"}' | ");
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_TRUE(std::filesystem::exists(snapshot));
  std::filesystem::remove_all(dir);
}

// A config file in a directory of its own, removed at the end of the test.
class CliConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ingestd_cli_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

// What `run` refuses at start-up (it builds these librdkafka configurations when it
// creates its clients), check-config refuses too, with the same message naming the key.
TEST_F(CliConfigTest, CheckConfigRejectsTheKafkaSettingsRunRejects) {
  const std::pair<const char*, const char*> cases[] = {
      {"consumer: {enable.auto.commit: 'true'}", "kafka.consumer.enable.auto.commit: set by ingestd to \"false\""},
      {"producer: {enable.idempotence: 'false'}", "kafka.producer.enable.idempotence: set by ingestd to \"true\""},
      {"consumer: {bootstrap.servers: 'b:9092'}", "kafka.consumer.bootstrap.servers: use kafka.brokers"},
      {"producer: {no.such.thing: '1'}", "kafka.producer.no.such.thing: No such configuration property"},
      {"consumer: {fetch.max.bytes: 'lots'}", "kafka.consumer.fetch.max.bytes: Invalid value"},
  };
  for (const auto& [setting, message] : cases) {
    const std::string config =
        Write("c.yaml",
              std::string("pipeline: {stages: [normalize]}\nkafka:\n  brokers: localhost:9092\n  ") + setting + "\n");
    const CommandResult r = Execute("check-config --config " + config);
    EXPECT_EQ(r.exit_code, 1) << setting << "\n" << r.output;
    EXPECT_NE(r.output.find(config + ": " + message), std::string::npos) << setting << "\n" << r.output;
  }
}

// `run` needs brokers; with dedupe in the chain it said so only 10 s later, as "cannot
// read topic ingestd.dedupe-index: Local: Broker transport failure". (`timeout`: a
// regression fails instead of hanging the suite.)
TEST_F(CliConfigTest, EmptyBrokersFailBothCommandsNamingTheKey) {
  const std::string config =
      Write("c.yaml", "kafka: {brokers: ''}\nadmin: {port: 0}\npipeline: {stages: [normalize, dedupe]}\n");
  const CommandResult check = Execute("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find(config + ": kafka.brokers: not set"), std::string::npos) << check.output;
  const CommandResult run = Execute("run --config " + config, "timeout 60 ");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("config error: " + config + ": kafka.brokers: not set"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("cannot read topic"), std::string::npos) << run.output;
}

// Two streams on one file interleaved their buffers into a broken JSON line (exit 0).
TEST_F(CliConfigTest, ReplayRefusesTwoOutputsOnOneFile) {
  const std::string input = Source() + "/tests/fixtures/replay/articles.jsonl";
  const std::string out = (dir_ / "same.jsonl").string();
  const std::string replay = "replay --quiet --config " + Source() + "/config/local.yaml --input " + input;
  const CommandResult dlq = Execute(replay + " --output " + out + " --dlq " + out);
  EXPECT_EQ(dlq.exit_code, 1) << dlq.output;
  EXPECT_NE(dlq.output.find("--output and --dlq name the same file (" + out + ")"), std::string::npos) << dlq.output;
  const CommandResult dup =
      Execute(replay + " --output " + out + " --duplicates " + (dir_ / "." / "same.jsonl").string());
  EXPECT_EQ(dup.exit_code, 1) << dup.output;
  EXPECT_NE(dup.output.find("--output and --duplicates name the same file"), std::string::npos) << dup.output;
  // The input, which an output would have truncated before it was read.
  const std::string copy = Write("in.jsonl", "{\"url\":\"https://a.example/1\",\"text\":\"Some text.\"}\n");
  const CommandResult in = Execute("replay --quiet --config " + Source() + "/config/local.yaml --input " + copy +
                                   " --output /dev/null --dlq " + copy);
  EXPECT_EQ(in.exit_code, 1) << in.output;
  EXPECT_NE(in.output.find("--input and --dlq name the same file"), std::string::npos) << in.output;
  EXPECT_GT(std::filesystem::file_size(copy), 0u);
  // /dev/null twice is fine.
  EXPECT_EQ(Execute(replay + " --output /dev/null --dlq /dev/null").exit_code, 0);
}

TEST(CliTest, SetOverrideIsValidatedToo) {
  const CommandResult r = Execute("check-config --config " + Source() + "/config/local.yaml --set admin.port=-1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("admin.port: expected an integer from 0 to 65535"), std::string::npos) << r.output;
}

// Found by probing: each was accepted (or said nothing useful) before.
TEST(CliTest, StrayWordsBadCountsAndDirectoriesAreRefused) {
  const std::string config = " --config " + Source() + "/config/local.yaml";
  const CommandResult stray = Execute("check-config" + config + " extra-word");
  EXPECT_EQ(stray.exit_code, 2) << stray.output;
  EXPECT_NE(stray.output.find("too many positional options"), std::string::npos) << stray.output;

  const CommandResult partitions = Execute("run" + config + " --embedded-kafka --embedded-partitions 0");
  EXPECT_EQ(partitions.exit_code, 2) << partitions.output;
  EXPECT_NE(partitions.output.find("--embedded-partitions must be at least 1"), std::string::npos) << partitions.output;

  const CommandResult dir = Execute("replay --quiet" + config + " --input /tmp --output /dev/null");
  EXPECT_EQ(dir.exit_code, 1) << dir.output;
  EXPECT_NE(dir.output.find("/tmp is a directory"), std::string::npos) << dir.output;

  const CommandResult range = Execute("check-config" + config + " --set dedupe.near_containment=2");
  EXPECT_NE(range.output.find("expected a number from 0.5 to 1, got 2"), std::string::npos) << range.output;
}

TEST(CliTest, MissingConfigFileFails) {
  const CommandResult r = Execute("check-config --config /nonexistent.yaml");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent.yaml: cannot open"), std::string::npos) << r.output;
}

TEST(CliTest, UnknownCommandFailsWithUsage) {
  const CommandResult r = Execute("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("usage: ingestd"), std::string::npos);
}

TEST(CliTest, ReplayReadsStdinAndWritesStdout) {
  const CommandResult r = Execute("replay --quiet --config " + Source() + "/config/local.yaml < " + Source() +
                                  "/tests/fixtures/replay/articles.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"schema\":\"ingestd.article.v1\""), std::string::npos);
  EXPECT_NE(r.output.find("replay: done: 10 records"), std::string::npos) << r.output.substr(0, 300);
}

// A test harness feeds the broker's hooks through a pipe; when the harness dies the
// pipe closes and the broker must not outlive it. (`timeout`: a regression fails
// instead of hanging the suite.)
TEST(CliTest, EmbeddedBrokerExitsWhenStdinClosesIfAsked) {
  const CommandResult r = Execute("embedded-broker --partitions 1 --exit-on-stdin-eof < /dev/null", "timeout 30 ");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("stdin closed"), std::string::npos) << r.output;
}

}  // namespace
