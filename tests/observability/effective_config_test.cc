// daemon/effective_config: GET /config's body.
#include "daemon/effective_config.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <fstream>
#include <regex>
#include <set>

#include "tests/test_paths.h"

namespace ingestd {
namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

TEST(EffectiveConfigTest, ShowsDefaultsOverridesAndEnvironmentValues) {
  ::setenv("INGESTD_TEST_BROKERS", "broker-1:9092", 1);
  const auto config = ParseConfig("kafka:\n  brokers: ${INGESTD_TEST_BROKERS}\nruntime:\n  workers: 3\n", "test.yaml",
                                  {"admin.port=0", "logging.format=json"});
  const auto d = Parse(EffectiveConfigJson(*config));
  EXPECT_STREQ(rapidjson::Pointer("/kafka/brokers").Get(d)->GetString(), "broker-1:9092");
  EXPECT_EQ(rapidjson::Pointer("/runtime/workers").Get(d)->GetInt(), 3);
  EXPECT_EQ(rapidjson::Pointer("/admin/port").Get(d)->GetInt(), 0);
  EXPECT_STREQ(rapidjson::Pointer("/logging/format").Get(d)->GetString(), "json");
  EXPECT_EQ(rapidjson::Pointer("/dedupe/window_hours").Get(d)->GetInt(), 168);  // a default
  EXPECT_STREQ(rapidjson::Pointer("/kafka/topics/input").Get(d)->GetString(), "articles.raw");
}

TEST(EffectiveConfigTest, RedactsSecretsInKafkaProperties) {
  ::setenv("INGESTD_TEST_PASSWORD", "hunter2-very-secret", 1);
  const auto config = ParseConfig(R"(kafka:
  brokers: b:9092
  consumer:
    security.protocol: SASL_SSL
    sasl.mechanism: PLAIN
    sasl.username: ingest
    sasl.password: ${INGESTD_TEST_PASSWORD}
    ssl.key.pem: "-----BEGIN PRIVATE KEY-----"
    ssl.key.password: pw
    sasl.oauthbearer.client.secret: s3
    sasl.oauthbearer.config: "principal=x secret=y"
  producer:
    sasl.jaas.config: "org.apache.kafka... password=\"p\""
    acks: all
)",
                                  "test.yaml");
  const std::string json = EffectiveConfigJson(*config);
  EXPECT_EQ(json.find("hunter2"), std::string::npos) << json;
  EXPECT_EQ(json.find("BEGIN PRIVATE"), std::string::npos) << json;
  EXPECT_EQ(json.find("secret=y"), std::string::npos) << json;
  EXPECT_EQ(json.find("password=\\\"p"), std::string::npos) << json;
  const auto d = Parse(json);
  const auto& consumer = d["kafka"]["consumer"];
  EXPECT_STREQ(consumer["sasl.password"].GetString(), kRedacted);
  EXPECT_STREQ(consumer["ssl.key.pem"].GetString(), kRedacted);
  EXPECT_STREQ(consumer["ssl.key.password"].GetString(), kRedacted);
  EXPECT_STREQ(consumer["sasl.oauthbearer.client.secret"].GetString(), kRedacted);
  EXPECT_STREQ(consumer["sasl.oauthbearer.config"].GetString(), kRedacted);
  EXPECT_STREQ(d["kafka"]["producer"]["sasl.jaas.config"].GetString(), kRedacted);
  // Not secrets: shown, so operators can check them.
  EXPECT_STREQ(consumer["sasl.username"].GetString(), "ingest");
  EXPECT_STREQ(consumer["security.protocol"].GetString(), "SASL_SSL");
  EXPECT_STREQ(d["kafka"]["producer"]["acks"].GetString(), "all");
}

// Every key docs/configuration.md documents appears in /config, so a key added to
// the config without being added here is caught.
TEST(EffectiveConfigTest, ShowsEveryDocumentedKey) {
  const auto config = LoadConfig(testing::SourceDir() + "/config/ingestd.yaml");
  const auto d = Parse(EffectiveConfigJson(*config));
  std::ifstream in(testing::SourceDir() + "/docs/configuration.md");
  const std::regex row(R"(^\| `([a-z_]+(\.[a-z_]+)+)` \|)");
  // Keys resolved at load time into another key's value: /config shows the result.
  const std::set<std::string> resolved{"normalize.boilerplate_rules_dir", "normalize.boilerplate_rules_file"};
  int keys = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row) || resolved.count(m[1].str())) continue;
    std::string pointer = m[1].str();
    for (auto& c : pointer) c = c == '.' ? '/' : c;
    pointer.insert(pointer.begin(), '/');
    EXPECT_NE(rapidjson::Pointer(pointer.c_str()).Get(d), nullptr) << m[1] << " is missing from GET /config";
    ++keys;
  }
  EXPECT_GE(keys, 20);
}

}  // namespace
}  // namespace ingestd
