#include "daemon/processor.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <stdexcept>

namespace ingestd {
namespace {

// A stage that does what the test says, to exercise the runtime's routing.
class ScriptedStage final : public Stage {
 public:
  ScriptedStage(std::string name, std::function<StageResult(Article&)> fn)
      : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string_view Name() const override { return name_; }
  StageResult Process(Article& a) override {
    ++calls;
    return fn_(a);
  }
  int calls = 0;

 private:
  std::string name_;
  std::function<StageResult(Article&)> fn_;
};

class ProcessorTest : public ::testing::Test {
 protected:
  Processor Make(std::vector<std::unique_ptr<Stage>> stages) {
    return Processor(std::make_shared<Config>(), std::move(stages), probe_);
  }
  double Metric(const std::string& name, const std::string& label_value = "") {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) {
        bool match = label_value.empty();
        for (const auto& l : m.label) match |= (l.value == label_value);
        if (match) return m.counter.value;
      }
    }
    return -1;
  }
  prometheus::Registry registry_;
  PipelineProbe probe_{registry_};
};

constexpr const char* kGood = R"({"url":"https://x.example/a","title":"T","text":"Body text"})";

TEST_F(ProcessorTest, RunsStagesInOrderAndEnriches) {
  std::vector<std::unique_ptr<Stage>> stages;
  std::string order;
  stages.push_back(std::make_unique<ScriptedStage>("a", [&](Article&) {
    order += "a";
    return StageResult::Continue();
  }));
  stages.push_back(std::make_unique<ScriptedStage>("b", [&](Article& art) {
    order += "b";
    art.language = LanguageResult{"en", 0.9, true, {}};
    return StageResult::Continue();
  }));
  Processor p = Make(std::move(stages));
  InputPosition pos{"articles.raw", 1, 7};
  Processed out = p.Process(kGood, &pos);
  EXPECT_EQ(order, "ab");
  EXPECT_EQ(out.output, Output::kEnriched);
  rapidjson::Document d;
  d.Parse(out.value.c_str());
  EXPECT_STREQ(d["language"]["code"].GetString(), "en");
  EXPECT_EQ(d["input"]["offset"].GetInt64(), 7);
  EXPECT_FALSE(out.key.empty());
  EXPECT_STREQ(d["id"].GetString(), out.key.c_str());
  EXPECT_EQ(Metric("ingestd_records_in_total"), 1);
  // Where a record went is counted once the output is final (the runtime: at the ack).
  EXPECT_EQ(Metric("ingestd_records_out_total", "enriched"), 0);
  p.Routed(out);
  EXPECT_EQ(Metric("ingestd_records_out_total", "enriched"), 1);
}

TEST_F(ProcessorTest, DuplicateVerdictStopsTheChainAndRoutesToDuplicates) {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<ScriptedStage>("dedupe", [](Article& a) {
    a.dedupe = DedupeResult{DedupeStatus::kExact, "first", 1.0, "", ""};
    return StageResult::Duplicate();
  }));
  auto after = std::make_unique<ScriptedStage>("after", [](Article&) { return StageResult::Continue(); });
  auto* after_ptr = after.get();
  stages.push_back(std::move(after));
  Processor p = Make(std::move(stages));
  Processed out = p.Process(kGood, nullptr);
  EXPECT_EQ(out.output, Output::kDuplicates);
  EXPECT_EQ(after_ptr->calls, 0);
  EXPECT_NE(out.value.find("\"status\":\"exact\""), std::string::npos);
  p.Routed(out);
  EXPECT_EQ(Metric("ingestd_records_out_total", "duplicates"), 1);
}

TEST_F(ProcessorTest, DeadLetterCarriesStageAndReason) {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<ScriptedStage>(
      "lang", [](Article&) { return StageResult::DeadLetter("too_short", "nothing to detect"); }));
  Processor p = Make(std::move(stages));
  Processed out = p.Process(kGood, nullptr);
  EXPECT_EQ(out.output, Output::kDeadLetter);
  EXPECT_EQ(out.dead_letter.stage, "lang");
  EXPECT_EQ(out.dead_letter.reason, "too_short");
  EXPECT_TRUE(out.value.empty());
  EXPECT_EQ(Metric("ingestd_records_out_total", "dead_letter"), 0);
  p.Routed(out);
  EXPECT_EQ(Metric("ingestd_dead_letters_total", "too_short"), 1);
  EXPECT_EQ(Metric("ingestd_records_out_total", "dead_letter"), 1);
}

TEST_F(ProcessorTest, ParseErrorsAreDeadLettersFromParseStage) {
  Processor p = Make({});
  Processed out = p.Process("{not json", nullptr);
  EXPECT_EQ(out.output, Output::kDeadLetter);
  EXPECT_EQ(out.dead_letter.stage, "parse");
}

TEST_F(ProcessorTest, StageExceptionBecomesDeadLetterNotACrash) {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<ScriptedStage>(
      "buggy", [](Article&) -> StageResult { throw std::runtime_error("index out of range"); }));
  Processor p = Make(std::move(stages));
  Processed out = p.Process(kGood, nullptr);
  EXPECT_EQ(out.output, Output::kDeadLetter);
  EXPECT_EQ(out.dead_letter.stage, "buggy");
  EXPECT_EQ(out.dead_letter.reason, "internal_error");
}

TEST_F(ProcessorTest, IdPrefersScraperIdThenCanonicalUrl) {
  Processor p = Make({});
  EXPECT_EQ(p.Process(R"({"id":"s-1","url":"https://x.example/a","text":"t"})", nullptr).key, "s-1");
  const std::string a = p.Process(R"({"url":"https://x.example/a","text":"one"})", nullptr).key;
  const std::string b = p.Process(R"({"url":"https://x.example/a","text":"two"})", nullptr).key;
  EXPECT_EQ(a, b);  // same URL, same id
  EXPECT_EQ(a.rfind("u-", 0), 0u);
}

}  // namespace
}  // namespace ingestd
