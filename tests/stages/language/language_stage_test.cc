#include "stages/language/language_stage.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "config/config.h"
#include "stages/registry.h"

namespace ingestd {
namespace {

double CounterValue(prometheus::Registry& registry, const std::string& name, const std::string& label) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      const bool match = label.empty() || (!metric.label.empty() && metric.label[0].value == label);
      if (match) return metric.counter.value;
    }
  }
  return -1;
}

TEST(LanguageStageTest, FillsLanguageAndCountsIt) {
  prometheus::Registry registry;
  auto stage = MakeLanguageStage(LanguageConfig{}, StageContext{&registry, nullptr});
  EXPECT_EQ(stage->Name(), "language");

  Article article;
  article.url = "https://news.example.com/a/1";
  article.title = "Council approves water plan";
  article.text =
      "The city council met on Tuesday evening to discuss the new water supply plan for the northern districts. "
      "Residents asked how long the works would take and who would pay for the new pipes.";
  EXPECT_EQ(stage->Process(article).verdict, Verdict::kContinue);
  ASSERT_TRUE(article.language.has_value());
  EXPECT_EQ(article.language->code, "en");
  EXPECT_EQ(CounterValue(registry, "ingestd_language_articles_total", "en"), 1);

  Article post;
  post.text = "Ҳукумат гуфт, ки роҳи навро месозад";  // a short post: a guess
  EXPECT_EQ(stage->Process(post).verdict, Verdict::kContinue);
  EXPECT_EQ(post.language->code, "tg");
  EXPECT_FALSE(post.language->reliable);
  EXPECT_EQ(CounterValue(registry, "ingestd_language_unreliable_total", ""), 1);

  Article other;
  other.text = "Ο δήμος ενέκρινε σήμερα το νέο σχέδιο για το νερό στις βόρειες περιοχές της πόλης μετά από συζήτηση";
  EXPECT_EQ(stage->Process(other).verdict, Verdict::kContinue);
  EXPECT_EQ(other.language->code, "el");
  EXPECT_EQ(CounterValue(registry, "ingestd_language_articles_total", "other"), 1);
}

TEST(LanguageStageTest, WorksWithoutAMetricsRegistry) {
  auto stage = MakeLanguageStage(LanguageConfig{}, StageContext{});
  Article article;
  article.text = "Pemerintah mengatakan bahwa jalan baru akan dibuka minggu depan.";
  EXPECT_EQ(stage->Process(article).verdict, Verdict::kContinue);
  EXPECT_TRUE(article.language.has_value());
}

TEST(LanguageStageTest, IsBuiltByTheRegistry) {
  Config config;
  config.pipeline.stages = {"normalize", "language"};
  const auto stages = BuildStages(config, StageContext{});
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[1]->Name(), "language");
}

}  // namespace
}  // namespace ingestd
