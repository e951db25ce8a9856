#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/reader.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

std::string ErrorOf(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    (void)ParseConfig(yaml, "test.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, EmptyConfigGivesDefaults) {
  auto c = ParseConfig("", "test.yaml");
  EXPECT_EQ(c->kafka.topics.input, "articles.raw");
  EXPECT_EQ(c->kafka.topics.dead_letter, "articles.dead-letter");
  EXPECT_EQ(c->runtime.workers, 2);
  EXPECT_TRUE(c->input.repair_invalid_utf8);
}

TEST(ConfigTest, ReadsTypedValues) {
  auto c = ParseConfig(R"(
kafka:
  brokers: "b1:9092,b2:9092"
  topics: {input: in.topic}
  consumer: {fetch.min.bytes: 1024, security.protocol: SASL_SSL}
runtime: {workers: 4, max_inflight_records: 500}
admin: {port: 0}
input: {invalid_utf8: reject}
pipeline: {stages: [normalize]}
)",
                       "test.yaml");
  EXPECT_EQ(c->kafka.brokers, "b1:9092,b2:9092");
  EXPECT_EQ(c->kafka.topics.input, "in.topic");
  EXPECT_EQ(c->kafka.consumer.at("fetch.min.bytes"), "1024");
  EXPECT_EQ(c->kafka.consumer.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c->runtime.workers, 4);
  EXPECT_EQ(c->runtime.max_inflight_records, 500);
  EXPECT_EQ(c->admin.port, 0);
  EXPECT_FALSE(c->input.repair_invalid_utf8);
  EXPECT_EQ(c->pipeline.stages, std::vector<std::string>{"normalize"});
}

// Snapshot paths, like every path key, are taken from the config file's directory.
TEST(ConfigTest, RelativeSnapshotPathsAreRelativeToTheConfigFile) {
  auto c = ParseConfig("dedupe: {snapshot_file: state/index.bin}\nnormalize: {learner: {snapshot: ../learner.bin}}\n",
                       "/etc/ingestd/conf/ingestd.yaml");
  EXPECT_EQ(c->dedupe.snapshot_file, "/etc/ingestd/conf/state/index.bin");
  EXPECT_EQ(c->normalize.learner.snapshot, "/etc/ingestd/learner.bin");
  auto absolute = ParseConfig("dedupe: {snapshot_file: /var/lib/ingestd/index.bin}\n", "/etc/ingestd/ingestd.yaml");
  EXPECT_EQ(absolute->dedupe.snapshot_file, "/var/lib/ingestd/index.bin");
  EXPECT_TRUE(ParseConfig("", "/etc/ingestd/ingestd.yaml")->dedupe.snapshot_file.empty());
}

TEST(ConfigTest, MisspeltKeyNamesFileKeyAndSuggestion) {
  const std::string e = ErrorOf("kafka:\n  topcs: {input: x}\n");
  EXPECT_NE(e.find("test.yaml"), std::string::npos) << e;
  EXPECT_NE(e.find("kafka.topcs"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean \"topics\""), std::string::npos) << e;
}

TEST(ConfigTest, UnknownTopLevelSectionFails) {
  EXPECT_NE(ErrorOf("kafak: {}\n").find("kafak: unknown key"), std::string::npos);
}

TEST(ConfigTest, WrongTypeNamesKeyAndExpectation) {
  const std::string e = ErrorOf("runtime:\n  workers: many\n");
  EXPECT_NE(e.find("runtime.workers: expected an integer"), std::string::npos) << e;
}

TEST(ConfigTest, OutOfRangeValueFails) {
  const std::string e = ErrorOf("admin:\n  port: 70000\n");
  EXPECT_NE(e.find("admin.port: expected an integer from 0 to 65535"), std::string::npos) << e;
}

TEST(ConfigTest, SectionThatIsNotAMappingFails) {
  const std::string e = ErrorOf("kafka: [a, b]\n");
  EXPECT_NE(e.find("kafka: expected a mapping"), std::string::npos) << e;
}

TEST(ConfigTest, UnknownStageFails) {
  const std::string e = ErrorOf("pipeline: {stages: [normalize, translate]}\n");
  EXPECT_NE(e.find("unknown stage \"translate\""), std::string::npos) << e;
}

TEST(ConfigTest, InvalidYamlReportsLine) {
  const std::string e = ErrorOf("kafka:\n  brokers: [unclosed\n");
  EXPECT_NE(e.find("test.yaml: line"), std::string::npos) << e;
}

TEST(ConfigTest, SubstitutesEnvironmentVariables) {
  ::setenv("INGESTD_TEST_BROKERS", "envhost:9092", 1);
  auto c = ParseConfig("kafka:\n  brokers: \"${INGESTD_TEST_BROKERS}\"\n", "test.yaml");
  EXPECT_EQ(c->kafka.brokers, "envhost:9092");
  ::unsetenv("INGESTD_TEST_BROKERS");
}

TEST(ConfigTest, EnvDefaultAppliesWhenUnset) {
  ::unsetenv("INGESTD_TEST_UNSET");
  auto c = ParseConfig("kafka:\n  brokers: \"${INGESTD_TEST_UNSET:-fallback:9092}\"\n", "test.yaml");
  EXPECT_EQ(c->kafka.brokers, "fallback:9092");
}

TEST(ConfigTest, UnsetEnvWithoutDefaultNamesVariableAndKey) {
  ::unsetenv("INGESTD_TEST_UNSET");
  const std::string e = ErrorOf("kafka:\n  brokers: \"${INGESTD_TEST_UNSET}\"\n");
  EXPECT_NE(e.find("kafka.brokers"), std::string::npos) << e;
  EXPECT_NE(e.find("INGESTD_TEST_UNSET is not set"), std::string::npos) << e;
}

// Set but empty is not "not set": the message says which, and `${VAR:-}` allows it.
TEST(ConfigTest, EmptyEnvWithoutDefaultSaysEmpty) {
  ::setenv("INGESTD_TEST_EMPTY", "", 1);
  const std::string e = ErrorOf("kafka:\n  brokers: \"${INGESTD_TEST_EMPTY}\"\n");
  EXPECT_NE(e.find("test.yaml: kafka.brokers: environment variable INGESTD_TEST_EMPTY is empty"), std::string::npos)
      << e;
  auto c = ParseConfig("kafka:\n  group_id: \"g${INGESTD_TEST_EMPTY:-}\"\n", "test.yaml");
  EXPECT_EQ(c->kafka.group_id, "g");
  ::unsetenv("INGESTD_TEST_EMPTY");
}

// yaml-cpp keeps the first of two equal keys: the second would be ignored without a word.
TEST(ConfigTest, DuplicateKeyNamesItsPathAndLine) {
  const std::string block = ErrorOf("runtime:\n  workers: 4\nadmin:\n  port: 0\nruntime:\n  workers: 8\n");
  EXPECT_NE(block.find("test.yaml: line 5: runtime: duplicate key (first at line 1)"), std::string::npos) << block;
  const std::string e = ErrorOf("runtime:\n  workers: 4\n  commit_interval_ms: 500\n  workers: 8\n");
  EXPECT_NE(e.find("test.yaml: line 4: runtime.workers: duplicate key (first at line 2)"), std::string::npos) << e;
  // In the maps passed to librdkafka, and in flow style, too.
  const std::string m = ErrorOf("kafka:\n  consumer: {fetch.min.bytes: 1, fetch.min.bytes: 2}\n");
  EXPECT_NE(m.find("kafka.consumer.fetch.min.bytes: duplicate key"), std::string::npos) << m;
}

// Anchors that each repeat the previous one twice: 2^30 nodes once expanded. Refused
// after a bounded walk (config_fuzz ran out of memory on such a file).
TEST(ConfigTest, AliasesThatExpandExponentiallyAreRefused) {
  std::string yaml = "meta:\n  a0: &a0 [x, x]\n";
  for (int i = 1; i < 30; ++i) {
    yaml += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + "]\n";
  }
  const std::string e = ErrorOf(yaml);
  EXPECT_NE(e.find("more than 10000 YAML nodes once aliases are expanded"), std::string::npos) << e;
}

TEST(ConfigTest, SecondYamlDocumentFails) {
  const std::string e = ErrorOf("runtime:\n  workers: 4\n---\nruntime:\n  workers: 8\n");
  EXPECT_NE(e.find("test.yaml: line 4: a second YAML document"), std::string::npos) << e;
  // A leading --- starts the one document (after comments and directives), and ... may end it.
  EXPECT_EQ(ParseConfig("---\nruntime:\n  workers: 4\n", "test.yaml")->runtime.workers, 4);
  EXPECT_EQ(ParseConfig("# c\n%YAML 1.2\n--- {runtime: {workers: 3}}\n...\n# end\n", "test.yaml")->runtime.workers, 3);
  const std::string after_end = ErrorOf("runtime:\n  workers: 4\n...\n\nadmin:\n  port: 0\n");
  EXPECT_NE(after_end.find("test.yaml: line 5: a second YAML document"), std::string::npos) << after_end;
  // Found by config_fuzz: yaml-cpp's LoadAll never returned on this second document.
  const std::string tags = ErrorOf("a: 1\n---\n!t\xff\xff 2\n!t\xff #\xff\n");
  EXPECT_NE(tags.find("test.yaml: line 3: a second YAML document"), std::string::npos) << tags;
}

TEST(ConfigTest, EmptyGroupIdNamesTheKey) {
  const std::string e = ErrorOf("kafka:\n  group_id: ''\n");
  EXPECT_NE(e.find("test.yaml: kafka.group_id: must not be empty"), std::string::npos) << e;
}

// The key path is said once (it read "kafka.kafka.consumer...").
TEST(ConfigTest, NonScalarKafkaPropertyNamesThePathOnce) {
  const std::string e = ErrorOf("kafka:\n  consumer: {fetch.max.bytes: [1]}\n");
  EXPECT_NE(e.find("test.yaml: kafka.consumer.fetch.max.bytes: expected a scalar value"), std::string::npos) << e;
}

TEST(ConfigTest, SetOverridesKeyAndCreatesSections) {
  auto c = ParseConfig("runtime: {workers: 2}\n", "test.yaml",
                       {"runtime.workers=8", "kafka.topics.input=other", "pipeline.stages=[normalize]"});
  EXPECT_EQ(c->runtime.workers, 8);
  EXPECT_EQ(c->kafka.topics.input, "other");
  EXPECT_EQ(c->pipeline.stages.size(), 1u);
}

// librdkafka's property names hold dots: below kafka.consumer and kafka.producer the
// rest of the path is one key (it read "kafka.producer.linger: expected a scalar value").
TEST(ConfigTest, SetReachesLibrdkafkaPropertiesWithDotsInTheirNames) {
  auto c = ParseConfig("kafka: {producer: {acks: all}}\n", "test.yaml",
                       {"kafka.producer.linger.ms=50", "kafka.consumer.fetch.wait.max.ms=10",
                        "kafka.producer.batch\\.num\\.messages=500"});
  EXPECT_EQ(c->kafka.producer.at("linger.ms"), "50");
  EXPECT_EQ(c->kafka.producer.at("batch.num.messages"), "500");
  EXPECT_EQ(c->kafka.producer.at("acks"), "all");  // the file's keys stay
  EXPECT_EQ(c->kafka.consumer.at("fetch.wait.max.ms"), "10");
  EXPECT_EQ(c->kafka.producer.count("linger"), 0u);
  EXPECT_NE(ErrorOf("", {"kafka.producer.=1"}).find("empty key segment"), std::string::npos);
}

// The flat maps are matched segment by segment: an escaped "kafka\.producer" is one
// top-level key, and the path below it is split as usual.
TEST(ConfigTest, SetEscapedDotDoesNotMakeAFlatMap) {
  YAML::Node root;
  ApplyOverride(root, "kafka\\.producer.linger.ms=1", {"kafka.producer"});
  ASSERT_TRUE(root["kafka.producer"].IsMap());
  EXPECT_EQ(root["kafka.producer"]["linger"]["ms"].as<std::string>(), "1");
  EXPECT_FALSE(root["kafka"].IsDefined());
}

// Elsewhere "\." is helm's escape for a dot inside a key, and the key is checked like the file's.
TEST(ConfigTest, SetEscapedDotIsPartOfTheKey) {
  const std::string e = ErrorOf("", {"runtime.work\\.ers=3"});
  EXPECT_NE(e.find("runtime.work.ers: unknown key"), std::string::npos) << e;
}

TEST(ConfigTest, SetWithMisspeltKeyFailsLikeTheFile) {
  const std::string e = ErrorOf("", {"runtime.wrokers=3"});
  EXPECT_NE(e.find("runtime.wrokers: unknown key"), std::string::npos) << e;
}

TEST(ConfigTest, SetWithoutEqualsFails) {
  EXPECT_NE(ErrorOf("", {"runtime.workers"}).find("expected key.path=value"), std::string::npos);
}

TEST(ConfigTest, TaxonomyDirIsResolvedAgainstConfigDirectory) {
  auto c = ParseConfig("tagging: {taxonomy_dir: taxonomy}\n", "/etc/ingestd/ingestd.yaml");
  EXPECT_EQ(c->tagging.taxonomy_dir, "/etc/ingestd/taxonomy");
}

TEST(ConfigTest, ShippedConfigsAreValid) {
  const std::string src = ingestd::testing::SourceDir();
  for (const char* name : {"config/ingestd.yaml", "config/local.yaml"}) {
    EXPECT_NO_THROW((void)LoadConfig(src + "/" + name)) << name;
  }
}

TEST(ConfigTest, StageListedTwiceNamesTheKey) {
  const std::string e = ErrorOf("pipeline: {stages: [normalize, dedupe, normalize]}\n");
  EXPECT_NE(e.find("test.yaml: pipeline.stages: stage \"normalize\" listed twice"), std::string::npos) << e;
}

TEST(ConfigTest, BadDuplicateRouteNamesTheKey) {
  const std::string e = ErrorOf("dedupe: {route_to_duplicates: [exact, story]}\n");
  EXPECT_NE(e.find("test.yaml: dedupe.route_to_duplicates: expected exact or near, got \"story\""), std::string::npos)
      << e;
}

TEST(ConfigTest, BadLoggingLevelAndFormatNameTheKey) {
  std::string e = ErrorOf("logging: {level: loud}\n");
  EXPECT_NE(e.find("test.yaml: logging.level: expected one of"), std::string::npos) << e;
  EXPECT_NE(e.find("got \"loud\""), std::string::npos) << e;
  e = ErrorOf("logging: {format: xml}\n");
  EXPECT_NE(e.find("test.yaml: logging.format: expected one of"), std::string::npos) << e;
  EXPECT_NE(e.find("got \"xml\""), std::string::npos) << e;
}

TEST(ConfigTest, ProgressIntervalIsOffOrAtLeastASecond) {
  EXPECT_EQ(ParseConfig("", "test.yaml")->logging.progress_interval_ms, 60000);
  EXPECT_EQ(ParseConfig("logging: {progress_interval_ms: 0}\n", "test.yaml")->logging.progress_interval_ms, 0);
  EXPECT_EQ(ParseConfig("logging: {progress_interval_ms: 1000}\n", "test.yaml")->logging.progress_interval_ms, 1000);
  std::string e = ErrorOf("logging: {progress_interval_ms: 500}\n");
  EXPECT_NE(e.find("test.yaml: logging.progress_interval_ms: must be 0 (no progress lines) or at least 1000"),
            std::string::npos)
      << e;
  e = ErrorOf("logging: {progress_interval_ms: -1}\n");
  EXPECT_NE(e.find("test.yaml: logging.progress_interval_ms:"), std::string::npos) << e;
}

TEST(ConfigTest, LanguageSampleSizeOutOfRangeNamesTheKey) {
  for (const char* bytes : {"255", "16777217"}) {
    const std::string e = ErrorOf(std::string("language: {max_sample_bytes: ") + bytes + "}\n");
    EXPECT_NE(e.find("test.yaml: language.max_sample_bytes: expected an integer from 256 to 16777216, got " +
                     std::string(bytes)),
              std::string::npos)
        << e;
  }
}

// A directory for configs whose relative paths (rule files and directories) resolve in it.
class ConfigDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ingestd-config-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    return path.string();
  }
  std::string ErrorIn(const std::string& yaml) {
    try {
      (void)ParseConfig(yaml, (dir_ / "ingestd.yaml").string());
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigDirTest, BoilerplateRulesDirThatIsNotADirectoryNamesTheKey) {
  Write("rules.yaml", "language: en\nrules: []\n");
  for (const char* dir : {"missing", "rules.yaml"}) {
    const std::string e = ErrorIn(std::string("normalize: {boilerplate_rules_dir: ") + dir + "}\n");
    EXPECT_NE(e.find("ingestd.yaml: normalize.boilerplate_rules_dir: not a directory: " + (dir_ / dir).string()),
              std::string::npos)
        << e;
  }
}

TEST_F(ConfigDirTest, MissingBoilerplateRulesFileNamesTheKey) {
  const std::string e = ErrorIn("normalize: {boilerplate_rules_dir: '', boilerplate_rules_file: extra.yaml}\n");
  EXPECT_NE(e.find("ingestd.yaml: normalize.boilerplate_rules_file: no such file: " + (dir_ / "extra.yaml").string()),
            std::string::npos)
      << e;
}

TEST_F(ConfigDirTest, BoilerplateRuleWithoutIdOrPatternNamesTheRule) {
  const std::string file = Write("extra.yaml",
                                 "language: en\nrules:\n  - {id: ok, pattern: 'share this'}\n"
                                 "  - {pattern: 'read more'}\n");
  const std::string config = "normalize: {boilerplate_rules_dir: '', boilerplate_rules_file: extra.yaml}\n";
  std::string e = ErrorIn(config);
  EXPECT_NE(e.find(file + ": rules[1].id: each rule needs an id"), std::string::npos) << e;
  Write("extra.yaml", "language: en\nrules:\n  - {id: ok, pattern: 'share this'}\n  - {id: more}\n");
  e = ErrorIn(config);
  EXPECT_NE(e.find(file + ": rules[1].pattern: rule \"en/more\" needs a pattern"), std::string::npos) << e;
}

TEST(ConfigTest, MissingFileIsAnError) { EXPECT_THROW((void)LoadConfig("/nonexistent/ingestd.yaml"), ConfigError); }

}  // namespace
}  // namespace ingestd
