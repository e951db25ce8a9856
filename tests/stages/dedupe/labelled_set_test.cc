#include "stages/dedupe/labelled_set.h"

#include <gtest/gtest.h>

namespace ingestd::dedupe::eval {
namespace {

TEST(DedupeLabelledSetTest, MeetsPrecisionAndRecallOnASmallSet) {
  SetOptions options;
  options.originals = 400;
  const auto set = MakeLabelledSet(options);
  const Score score = ScoreSet(set, DedupeConfig{});
  EXPECT_GE(score.Precision(), 0.99) << score.Report();
  EXPECT_GE(score.Recall(), 0.95) << score.Report();
  EXPECT_LE(score.wrong_target, score.true_positives / 100) << score.Report();
  EXPECT_EQ(score.revisions_linked, score.revisions);
}

// Story links need the term counts warm (the first few hundred articles of a
// language look alike to them), hence a larger set than the copies need.
TEST(DedupeLabelledSetTest, LinksRewritesOfOneStoryAndKeepsOtherStoriesApart) {
  SetOptions options;
  options.originals = 1000;
  const auto set = MakeLabelledSet(options);
  const Score score = ScoreSet(set, DedupeConfig{});
  EXPECT_GE(score.RewritePrecision(), 0.99) << score.Report();
  EXPECT_GE(score.RewriteRecall(), 0.75) << score.Report();
  EXPECT_GE(score.StoryPrecision(), 0.99) << score.Report();
  // A story link never makes a duplicate.
  EXPECT_EQ(score.by_kind.at("story_rewrite").flagged, 0) << score.Report();
  EXPECT_GE(score.Precision(), 0.99) << score.Report();
}

TEST(DedupeLabelledSetTest, CoversEveryKindAndLanguageAndIsDeterministic) {
  SetOptions options;
  options.originals = 200;
  const auto a = MakeLabelledSet(options);
  const auto b = MakeLabelledSet(options);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].text, b[i].text);
  std::set<std::string> kinds, languages;
  for (const auto& item : a) {
    kinds.insert(KindName(item.kind));
    languages.insert(item.language);
  }
  EXPECT_EQ(kinds.size(), 16u);
  EXPECT_EQ(languages.size(), Languages().size());
}

}  // namespace
}  // namespace ingestd::dedupe::eval
