// The bad input catalogue, through the Processor (the path both the Kafka runtime
// and `ingestd replay` take): every kind of bad record becomes exactly one output,
// a dead letter with its own reason code, and never takes the process down. The
// chain is the real one: the stages of config/local.yaml.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <functional>
#include <random>
#include <set>
#include <string>

#include "config/config.h"
#include "daemon/event_writer.h"
#include "daemon/processor.h"
#include "stages/registry.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

// A Processor with the real stage chain (config/local.yaml's four stages), and input
// settings from `overrides`.
class Chain {
 public:
  explicit Chain(const std::vector<std::string>& overrides = {}) {
    auto config = LoadConfig(testing::SourceDir() + "/config/local.yaml", overrides);
    processor_ = std::make_unique<Processor>(config, BuildStages(*config, StageContext{&registry_, &clock_}), probe_);
  }
  Processed Process(std::string_view bytes) { return processor_->Process(bytes, &position_); }

 private:
  prometheus::Registry registry_;
  PipelineProbe probe_{registry_};
  SystemClock clock_;
  InputPosition position_{"articles.raw", 3, 1234};
  std::unique_ptr<Processor> processor_;
};

std::string Record(const std::string& text_json, const std::string& url = "\"https://bad.example/a\"") {
  return "{\"url\":" + url + ",\"title\":\"A title\",\"text\":" + text_json + "}";
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

struct BadInput {
  std::string name;
  std::function<std::string()> bytes;
  std::string stage;   // expected dead-letter stage
  std::string reason;  // expected dead-letter reason
  std::vector<std::string> overrides = {};
};

// gtest prints parameters in test names and failures: the name says it all.
void PrintTo(const BadInput& bad, std::ostream* os) { *os << bad.name; }

std::vector<BadInput> Catalogue() {
  return {
      {"MalformedJson", [] { return std::string("not json at all"); }, "parse", "invalid_json"},
      {"MalformedJsonMissingColon", [] { return std::string(R"({"url" "https://x"})"); }, "parse", "invalid_json"},
      {"EmptyRecord", [] { return std::string(); }, "parse", "invalid_json"},
      {"TruncatedInString", [] { return Record("\"the text stops her"); }, "parse", "truncated_json"},
      {"TruncatedAfterField",
       [] {
         std::string r = Record("\"complete text\"");
         return r.substr(0, r.size() - 1);
       },
       "parse", "truncated_json"},
      {"InvalidUtf8Rejected",
       [] { return Record("\"caf\xe9 \xff end\""); },
       "parse",
       "invalid_utf8",
       {"input.invalid_utf8=reject"}},
      {"OverlongUtf8Rejected",
       [] { return Record("\"\xc0\xaf slash\""); },
       "parse",
       "invalid_utf8",
       {"input.invalid_utf8=reject"}},
      {"RawNulByte", [] { return Record(std::string("\"nul \0 inside\"", 14)); }, "parse", "binary"},
      {"FiftyMegabyteValue", [] { return Record("\"" + std::string(50 << 20, 'a') + "\""); }, "parse", "too_large"},
      {"NestedDeeperThanLimit", [] { return "{\"url\":\"u\",\"text\":\"t\",\"meta\":{\"x\":" + Nested(40) + "}}"; },
       "parse", "too_deep"},
      {"NestedDeeperThanParser", [] { return "{\"meta\":" + Nested(100000) + "}"; }, "parse", "too_deep"},
      {"HtmlNestedTenThousandDeep",  // gumbo would take seconds; reading the tree ran the stack out at ~75,000
       [] {
         std::string html;
         for (int i = 0; i < 10000; ++i) html += "<div>";
         html += "Kabul";
         for (int i = 0; i < 10000; ++i) html += "</div>";
         return R"({"url":"https://x.example/deep","html":")" + html + "\"}";
       },
       "normalize", "html_too_deep"},
      {"HtmlNestedDeepAgainAndAgain",  // under the depth limit, but 80 million of nesting work
       [] {
         std::string round;
         for (int i = 0; i < 4000; ++i) round += "<div>";
         round += "Kabul";
         for (int i = 0; i < 4000; ++i) round += "</div>";
         std::string html;
         for (int i = 0; i < 10; ++i) html += round;
         return R"({"url":"https://x.example/nested","html":")" + html + "\"}";
       },
       "normalize", "html_too_deep"},
      {"TopLevelArray", [] { return std::string(R"([{"url":"https://x","text":"t"}])"); }, "parse", "not_an_object"},
      {"TopLevelString", [] { return std::string(R"("just a string")"); }, "parse", "not_an_object"},
      {"TextIsNumber", [] { return Record("42"); }, "parse", "wrong_type"},
      {"UrlIsArray", [] { return Record("\"t\"", "[\"https://x\"]"); }, "parse", "wrong_type"},
      {"MetaIsString", [] { return std::string(R"({"url":"https://x","text":"t","meta":"m"})"); }, "parse",
       "wrong_type"},
      {"MissingUrl", [] { return std::string(R"({"title":"t","text":"body"})"); }, "parse", "missing_field"},
      {"EmptyText", [] { return Record("\"\""); }, "parse", "empty_body"},
      {"WhitespaceText", [] { return Record("\"  \\n\\t \\r\\n \""); }, "parse", "empty_body"},
      {"OnlyControlCharacters", [] { return Record("\"\\u0000\\u0001\\u200b\\u200d\\ufeff\""); }, "normalize",
       "empty_after_normalize"},
      {"BinaryGarbage",
       [] {
         std::mt19937 rng(7);
         std::string s(4096, '\0');
         for (auto& c : s) c = static_cast<char>(rng());
         return s;
       },
       "parse", "binary"},
      {"BinaryGarbageRejected",
       [] {
         std::mt19937 rng(8);
         std::string s(4096, '\0');
         for (auto& c : s) c = static_cast<char>(rng() | 0x80);
         return s;
       },
       "parse",
       "invalid_utf8",
       {"input.invalid_utf8=reject"}},
  };
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, BecomesOneDeadLetterWithItsReason) {
  const BadInput& bad = GetParam();
  Chain chain(bad.overrides);
  const std::string bytes = bad.bytes();
  Processed out = chain.Process(bytes);
  ASSERT_EQ(out.output, Output::kDeadLetter) << out.value.substr(0, 300);
  EXPECT_EQ(out.dead_letter.stage, bad.stage);
  EXPECT_EQ(out.dead_letter.reason, bad.reason) << out.dead_letter.message;
  EXPECT_FALSE(out.dead_letter.message.empty());
  EXPECT_TRUE(out.value.empty());

  // The dead-letter file format keeps the input, as text or base64.
  InputPosition position{"articles.raw", 3, 1234};
  rapidjson::Document d;
  const std::string json = EncodeDeadLetterJson(out.dead_letter, bytes, 9, &position);
  d.Parse(json.c_str(), json.size());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["reason"].GetString(), bad.reason.c_str());
  EXPECT_TRUE(d.HasMember("raw") || d.HasMember("raw_base64"));

  // The chain is still good for the next record.
  Processed next = chain.Process(Record("\"A healthy article after " + bad.name + ".\""));
  EXPECT_EQ(next.output, Output::kEnriched) << next.dead_letter.reason;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInputTest, ::testing::ValuesIn(Catalogue()),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(BadInputCatalogueTest, EachKindOfParseFailureHasItsOwnReason) {
  std::set<std::string> reasons;
  for (const auto& bad : Catalogue()) {
    if (bad.stage == "parse") reasons.insert(bad.reason);
  }
  // Every DecodeError reason (daemon/envelope.h) is exercised by the catalogue.
  EXPECT_EQ(reasons,
            (std::set<std::string>{"invalid_json", "truncated_json", "binary", "not_an_object", "missing_field",
                                   "wrong_type", "empty_body", "too_large", "too_deep", "invalid_utf8"}));
}

TEST(BadInputRepairTest, InvalidUtf8IsRepairedAndCountedByDefault) {
  Chain chain;
  Processed out = chain.Process(Record("\"caf\xe9 au lait \xff\xfe end\""));
  ASSERT_EQ(out.output, Output::kEnriched) << out.dead_letter.reason;
  rapidjson::Document d;
  d.Parse(out.value.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(d["utf8_replacements"].GetInt(), 3);
  EXPECT_NE(std::string(d["text"].GetString()).find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(BadInputRepairTest, EscapedNulIsDroppedFromTheText) {
  Chain chain;
  Processed out = chain.Process(Record("\"before\\u0000after and more words\""));
  ASSERT_EQ(out.output, Output::kEnriched) << out.dead_letter.reason;
  rapidjson::Document d;
  d.Parse(out.value.c_str());
  const std::string text(d["text"].GetString(), d["text"].GetStringLength());
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_NE(text.find("before"), std::string::npos);
}

TEST(BadInputLimitsTest, FiftyMegabyteTextIsProcessedWhenTheLimitAllowsIt) {
  Chain chain({"input.max_record_bytes=67108864"});
  std::string text;
  text.reserve(50 << 20);
  while (text.size() < (50u << 20)) text += "Word after word makes a very long article. ";
  Processed out = chain.Process(Record("\"" + text + "\""));
  EXPECT_EQ(out.output, Output::kEnriched) << out.dead_letter.reason << ": " << out.dead_letter.message;
  EXPECT_GT(out.value.size(), 50u << 20);
}

// Pages that are nothing but site chrome: the shipped boilerplate rules remove every
// line, and normalize dead-letters what is left (nothing) with its own reason.
TEST(BadInputBoilerplateTest, OnlyBoilerplateIsDeadLetteredByNormalize) {
  Chain chain;
  const std::string chrome =
      "\"Home | World | Politics | Contact\\nShare this article\\nSubscribe to our newsletter\\n"
      "\\u00a9 2026 Bad Example. All rights reserved.\"";
  Processed out = chain.Process(Record(chrome));
  ASSERT_EQ(out.output, Output::kDeadLetter);
  EXPECT_EQ(out.dead_letter.stage, "normalize");
  EXPECT_EQ(out.dead_letter.reason, "empty_after_normalize");
}

}  // namespace
}  // namespace ingestd
