// The tagging quality gate: precision and recall on the annotated evaluation set
// (eval/eval_set.tsv; the table is in docs/benchmarks.md, produced by tagging_eval).
#include <gtest/gtest.h>

#include "tests/stages/tagging/eval_score.h"
#include "tests/stages/tagging/tagging_test_util.h"

namespace ingestd::testing {
namespace {

TEST(TaggingEval, MeetsPrecisionAndRecallGoalsOnTheEvaluationSet) {
  const auto cases = ReadEvalSet(SourceDir() + "/tests/stages/tagging/eval/eval_set.tsv");
  ASSERT_GE(cases.size(), 100u);
  std::set<std::string> langs;
  for (const auto& c : cases) langs.insert(c.lang);
  EXPECT_EQ(langs, (std::set<std::string>{"ar", "en", "fa", "fr", "ps", "ru", "ur", "zh"}));

  const auto report = ScoreEvalSet(DefaultTaxonomy(), cases);
  std::string mistakes;
  for (const auto& m : report.mistakes) mistakes += m + "\n";
  EXPECT_GE(report.all.Recall(), 0.9) << FormatReport(report) << mistakes;
  EXPECT_GE(report.all.Precision(), 0.97) << FormatReport(report) << mistakes;
  for (const auto& [type, score] : report.by_type) {
    EXPECT_GE(score.Recall(), 0.85) << type << "\n" << mistakes;
    EXPECT_GE(score.Precision(), 0.95) << type << "\n" << mistakes;
  }
}

}  // namespace
}  // namespace ingestd::testing
