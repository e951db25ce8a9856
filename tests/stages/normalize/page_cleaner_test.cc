// Headline-digest matching (FirstLaterExtensions) and the page cleaner on pages
// of very many lines: same verdicts as a pairwise scan, at n log n cost.
#include "stages/normalize/page_cleaner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "config/normalize_config.h"
#include "stages/normalize/digest_match.h"

namespace ingestd {
namespace {

// The definition, pair by pair: what the cleaner did before (quadratic).
std::vector<size_t> PairwiseReference(const std::vector<std::string>& keys, size_t min_bytes) {
  std::vector<size_t> result(keys.size(), SIZE_MAX);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].size() < min_bytes) continue;
    for (size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[j].starts_with(keys[i])) {
        result[i] = j;
        break;
      }
    }
  }
  return result;
}

TEST(PageCleanerDigestMatch, FindsTheFirstLaterKeyStartingWithEachKey) {
  const std::vector<std::string> keys = {
      "ministersaysbordertalksresume",              // 0: starts 3 (and 5): 3
      "shortkey",                                   // 1: under min_bytes
      "",                                           // 2: a removed line
      "ministersaysbordertalksresumetoday",         // 3: nothing later starts with it
      "policereportquietnightinthecapital",         // 4: only itself: none
      "ministersaysbordertalksresumetodayinkabul",  // 5: last
      "ministersaysbordertalksresume",              // 6: an equal key is not later than 0, and none follows
  };
  const std::vector<size_t> got = FirstLaterExtensions(keys, 20);
  const std::vector<size_t> want = {3, SIZE_MAX, SIZE_MAX, 5, SIZE_MAX, SIZE_MAX, SIZE_MAX};
  EXPECT_EQ(got, want);
  EXPECT_EQ(got, PairwiseReference(keys, 20));
}

TEST(PageCleanerDigestMatch, AgreesWithThePairwiseScanOnRandomKeys) {
  // Two letters and short keys: most keys are prefixes of many others, with ties.
  std::mt19937 rng(42);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = rng() % 200;
    std::vector<std::string> keys(n);
    for (auto& k : keys) {
      const size_t len = rng() % 10;
      for (size_t c = 0; c < len; ++c) k.push_back(rng() % 2 ? 'a' : '\xe2');  // a byte above 0x7f too
    }
    const size_t min_bytes = rng() % 4;
    ASSERT_EQ(FirstLaterExtensions(keys, min_bytes), PairwiseReference(keys, min_bytes)) << "trial " << trial;
  }
}

// The probe that found the bug: "line <i> Kabul attack" on 50,000 lines, no key
// starting another; also keys with a long shared head, and equal keys. Counted
// steps (each a comparison of keys of at most 200 bytes, or a tree step): the
// sorted search takes 2.0e6 to 3.2e6 here, under the bound 8 n log2 n = 6.2e6;
// the pairwise scan took 0.8e9 to 1.25e9, 130 to 200 times the bound.
TEST(PageCleanerDigestMatch, CostGrowsLikeNLogNOnManyDistinctLines) {
  constexpr size_t kLines = 50'000;
  const double bound = 8.0 * kLines * std::log2(static_cast<double>(kLines));
  std::vector<std::string> numbered;
  std::vector<std::string> long_common;                          // a long shared head: each comparison reads it
  std::vector<std::string> equal(kLines, std::string(60, 'k'));  // each key starts the next
  for (size_t i = 0; i < kLines; ++i) {
    numbered.push_back("line" + std::to_string(i) + "kabulattack");
    long_common.push_back(std::string(150, 'x') + std::to_string(i * 7919 % kLines) + "y");
  }
  for (const auto* keys : {&numbered, &long_common, &equal}) {
    uint64_t operations = 0;
    const std::vector<size_t> got = FirstLaterExtensions(*keys, 20, &operations);
    EXPECT_LE(static_cast<double>(operations), bound);
    if (keys == &equal) {
      EXPECT_EQ(got[0], 1u);
      EXPECT_EQ(got[kLines - 2], kLines - 1);
    } else {
      EXPECT_EQ(std::count(got.begin(), got.end(), SIZE_MAX), static_cast<std::ptrdiff_t>(kLines));
    }
    EXPECT_EQ(got[kLines - 1], SIZE_MAX);
  }
}

TEST(PageCleanerDigestMatch, CleanerKeepsEveryLineOfAManyLinePage) {
  NormalizeConfig config;
  config.learner.enabled = false;
  PageCleaner cleaner(config, nullptr, nullptr);
  std::string text;
  for (int i = 0; i < 20'000; ++i) text += (i ? "\n" : "") + ("line " + std::to_string(i) + " Kabul attack");
  const CleanedPage page = cleaner.Clean(text, "x.example", {}, false);
  EXPECT_EQ(page.text, text);
  EXPECT_EQ(page.report.lines_removed, 0u);
  EXPECT_TRUE(page.segments.empty());
}

TEST(PageCleanerDigestMatch, CleanerTurnsDigestEntriesIntoSegmentHeadings) {
  NormalizeConfig config;
  config.learner.enabled = false;
  config.min_segment_bytes = 10;
  PageCleaner cleaner(config, nullptr, nullptr);
  const std::string text =
      "1. Border talks resume in the capital\n"
      "2. Farmers count the cost of a late harvest\n"
      "\n"
      "Border talks resume in the capital after a week\n"
      "Officials met on Monday and agreed to continue.\n"
      "Farmers count the cost of a late harvest\n"
      "The rains came three weeks late this year.";
  const CleanedPage page = cleaner.Clean(text, "x.example", {}, true);
  EXPECT_EQ(page.removed_as_digest, 2u);
  ASSERT_EQ(page.segments.size(), 2u);
  EXPECT_EQ(page.segments[0].title, "Border talks resume in the capital after a week");
  EXPECT_EQ(page.segments[1].title, "Farmers count the cost of a late harvest");
  EXPECT_EQ(page.text.substr(page.segments[1].start, 7), "Farmers");
}

}  // namespace
}  // namespace ingestd
