#include "stages/normalize/boilerplate_learner.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "bench/normalize_synthetic.h"
#include "stages/normalize/page_cleaner.h"

namespace ingestd {
namespace {

using std::chrono::hours;
using TimePoint = BoilerplateLearner::TimePoint;

const TimePoint kStart = TimePoint(hours(24 * 19800));

std::vector<BoilerplateLearner::Line> Lines(const std::vector<std::string>& texts) {
  std::vector<BoilerplateLearner::Line> out;
  for (const auto& t : texts) out.push_back({BoilerplateLearner::LineKey(t), static_cast<uint32_t>(t.size())});
  return out;
}

std::string Unique(int i) {
  return "Genuine paragraph number " + std::string(1, static_cast<char>('a' + i % 26)) + std::string(i / 26 + 1, 'x') +
         " with enough words to look like content in an article.";
}

TEST(BoilerplateLearner, LearnsALineRecurringAcrossArticlesOfOneSource) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  std::vector<bool> last;
  for (int i = 0; i < 8; ++i) {
    last = learner.Observe("site.example", Lines({"Subscribe to the Gazette for daily alerts", Unique(i)}),
                           kStart + hours(i));
  }
  EXPECT_TRUE(last[0]);
  EXPECT_FALSE(last[1]);
}

TEST(BoilerplateLearner, NeverRemovesALineSeenOnce) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  for (int i = 0; i < 50; ++i) {
    const auto r = learner.Observe("site.example", Lines({"Template line", Unique(i)}), kStart + hours(i));
    EXPECT_FALSE(r[1]) << i;
  }
}

TEST(BoilerplateLearner, AQuotationSharedByTwoSourcesIsNotBoilerplate) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  const std::string quote = "\u201CWe will not accept any deal that ignores the people,\u201D the minister said.";
  // Both sources carry the quote, in several articles each, below the threshold.
  for (int i = 0; i < 4; ++i) {
    for (const char* s : {"a.example", "b.example"}) {
      const auto r = learner.Observe(s, Lines({quote, Unique(i * 2 + (s[0] == 'a'))}), kStart + hours(i));
      EXPECT_FALSE(r[0]);
    }
  }
  // A third source seeing it for the first time does not remove it either.
  EXPECT_FALSE(learner.Observe("c.example", Lines({quote, Unique(99)}), kStart + hours(5))[0]);
}

TEST(BoilerplateLearner, ResendsOfOneArticleAddNoEvidence) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  const auto article = Lines({Unique(1), Unique(2), Unique(3)});
  for (int i = 0; i < 20; ++i) {
    const auto r = learner.Observe("site.example", article, kStart + hours(i));
    EXPECT_FALSE(r[0] || r[1] || r[2]) << i;
  }
}

TEST(BoilerplateLearner, ForgetsOldEvidence) {
  BoilerplateLearnerConfig config;
  config.half_life_hours = 24;
  BoilerplateLearner learner(config);
  for (int i = 0; i < 10; ++i) (void)learner.Observe("s", Lines({"Old footer", Unique(i)}), kStart + hours(i));
  EXPECT_TRUE(learner.Observe("s", Lines({"Old footer", Unique(100)}), kStart + hours(11))[0]);
  // Thirty days later the template is long gone.
  EXPECT_FALSE(learner.Observe("s", Lines({"Old footer", Unique(101)}), kStart + hours(24 * 30))[0]);
}

TEST(BoilerplateLearner, StaysWithinItsBounds) {
  BoilerplateLearnerConfig config;
  config.max_sources = 4;
  config.max_lines_per_source = 64;
  BoilerplateLearner learner(config);
  for (int i = 0; i < 400; ++i) {
    (void)learner.Observe("source" + std::to_string(i % 10), Lines({Unique(i), Unique(i + 1000)}), kStart + hours(i));
  }
  EXPECT_LE(learner.SourceCount(), 4u);
  EXPECT_LE(learner.KeyCount(), 4u * 64u);
}

TEST(BoilerplateLearner, SnapshotRoundTripKeepsWhatWasLearned) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  for (int i = 0; i < 8; ++i) (void)learner.Observe("s", Lines({"Footer", Unique(i)}), kStart + hours(i));
  std::stringstream snapshot;
  learner.Save(snapshot);
  BoilerplateLearner restored(BoilerplateLearnerConfig{});
  std::string error;
  ASSERT_TRUE(restored.Load(snapshot, &error)) << error;
  EXPECT_EQ(restored.KeyCount(), learner.KeyCount());
  EXPECT_TRUE(restored.Observe("s", Lines({"Footer", Unique(50)}), kStart + hours(9))[0]);

  std::stringstream garbage("not a snapshot");
  EXPECT_FALSE(restored.Load(garbage, &error));
  EXPECT_NE(error.find("bad magic"), std::string::npos);
  EXPECT_EQ(restored.SourceCount(), 0u);
}

TEST(BoilerplateLearner, KeyIgnoresCaseDigitsAndSpaces) {
  EXPECT_EQ(BoilerplateLearner::LineKey("Comments (12)"), BoilerplateLearner::LineKey("comments  (7)"));
  EXPECT_NE(BoilerplateLearner::LineKey("Comments"), BoilerplateLearner::LineKey("Comment"));
}

TEST(BoilerplateLearner, ObserveIsSafeFromManyThreads) {
  BoilerplateLearner learner(BoilerplateLearnerConfig{});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        (void)learner.Observe("source" + std::to_string(i % 3), Lines({"Shared footer", Unique(t * 1000 + i)}),
                              kStart + hours(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(learner.SourceCount(), 3u);
  EXPECT_TRUE(learner.Observe("source0", Lines({"Shared footer", Unique(99999)}), kStart + hours(300))[0]);
}

// The learner alone (rules off) on a generated three-source set: after warm-up it
// removes at least 95% of template lines and under 1% of content lines.
TEST(BoilerplateLearner, RemovesTemplateLinesNotContentOnSyntheticSources) {
  NormalizeConfig config;
  BoilerplateLearner learner(config.learner);
  PageCleaner cleaner(config, nullptr, &learner);
  synthetic::Generator generator(7);
  const auto articles = generator.Make(/*per_source=*/60, /*days=*/6);
  constexpr int kWarmup = 12;
  size_t template_total = 0, template_removed = 0, content_total = 0, content_removed = 0;
  for (const auto& a : articles) {
    const CleanedPage page = cleaner.Clean(a.Text(), a.source, a.time, /*keep_removed=*/true);
    if (a.index_in_source < kWarmup) continue;
    std::multiset<std::string> removed(page.report.removed.begin(), page.report.removed.end());
    for (const auto& l : a.lines) {
      auto it = removed.find(l.text);
      const bool gone = it != removed.end();
      if (gone) removed.erase(it);
      (l.is_template ? template_total : content_total)++;
      (l.is_template ? template_removed : content_removed) += gone;
    }
  }
  ASSERT_GT(template_total, 1000u);
  ASSERT_GT(content_total, 1000u);
  EXPECT_GE(static_cast<double>(template_removed) / template_total, 0.95) << template_removed << "/" << template_total;
  EXPECT_LT(static_cast<double>(content_removed) / content_total, 0.01) << content_removed << "/" << content_total;
}

}  // namespace
}  // namespace ingestd
