#include "stages/normalize/normalize_stage.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "stages/clock.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

// Distinct words for distinct numbers (line keys ignore digits).
std::string Letters(int n) {
  std::string s;
  do {
    s += static_cast<char>('a' + n % 26);
    n /= 26;
  } while (n > 0);
  return s;
}

class NormalizeStageTest : public ::testing::Test {
 protected:
  NormalizeStageTest() {
    config_.boilerplate_rules = LoadBoilerplateRuleDir(testing::SourceDir() + "/config/boilerplate");
  }
  std::unique_ptr<Stage> Make() { return MakeNormalizeStage(config_, StageContext{nullptr, &clock_}); }
  static Article Make(std::string text, std::string url = "https://Site.Example/a?utm_medium=x") {
    Article a;
    a.url = std::move(url);
    a.text = std::move(text);
    return a;
  }

  NormalizeConfig config_;
  ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::hours(24 * 19800))};
};

TEST_F(NormalizeStageTest, CleansTextAndFillsDerivedFields) {
  auto stage = Make();
  Article a = Make("Connect with us\n\n\u201CQuoted\u201D text \u2014 here.\u200B\n");
  a.title = "  A  title ";
  ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(a.text, "\u201CQuoted\u201D text \u2014 here.");
  EXPECT_EQ(a.title, "A title");
  EXPECT_EQ(a.canonical_url, "https://site.example/a");
  EXPECT_EQ(a.source, "site.example");
  ASSERT_TRUE(a.boilerplate.has_value());
  EXPECT_EQ(a.boilerplate->lines_removed, 1u);
  EXPECT_TRUE(a.boilerplate->removed.empty());
  EXPECT_EQ(a.folded_text.text, "\"quoted\" text - here.");
  EXPECT_EQ(a.folded_title.text, "a title");
  EXPECT_TRUE(a.content_hash.has_value());
  EXPECT_FALSE(a.segments.has_value());
}

TEST_F(NormalizeStageTest, KeepsRemovedLinesWithTheDebugFlag) {
  config_.debug_removed_lines = true;
  auto stage = Make();
  Article a = Make("Body line.\nShare this article");
  ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(a.boilerplate->removed, std::vector<std::string>{"Share this article"});
}

TEST_F(NormalizeStageTest, DeadLettersAnArticleThatIsOnlyBoilerplate) {
  auto stage = Make();
  Article a = Make("Connect with us\n\nPublished\n\non\n\n_________\nSource: Telegram\n\u200B");
  const StageResult r = stage->Process(a);
  EXPECT_EQ(r.verdict, Verdict::kDeadLetter);
  EXPECT_EQ(r.reason, "empty_after_normalize");
}

TEST_F(NormalizeStageTest, ExtractsHtmlWhenThereIsNoText) {
  auto stage = Make();
  Article a = Make("");
  a.html =
      "<html><head><title>T</title></head><body><nav>Home</nav><article><h1>Headline here</h1>"
      "<p>First paragraph.</p><p>Second paragraph.</p></article></body></html>";
  ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(a.title, "Headline here");
  EXPECT_EQ(a.text, "Headline here\n\nFirst paragraph.\n\nSecond paragraph.");
}

TEST_F(NormalizeStageTest, LearnsATemplatePerSourceAcrossArticles) {
  auto stage = Make();
  Article last;
  for (int i = 0; i < 8; ++i) {
    last = Make("Gazette weekly: the region in brief\n\nStory number " + std::string(i + 1, 'x') + " about roads.",
                "https://gazette.example/" + std::to_string(i));
    ASSERT_EQ(stage->Process(last).verdict, Verdict::kContinue);
    clock_.Advance(std::chrono::hours(1));
  }
  EXPECT_EQ(last.text, "Story number xxxxxxxx about roads.");
  // Another source with the same line has not earned its removal.
  Article other = Make("Gazette weekly: the region in brief\n\nOther story.", "https://other.example/1");
  ASSERT_EQ(stage->Process(other).verdict, Verdict::kContinue);
  EXPECT_EQ(other.text, "Gazette weekly: the region in brief\n\nOther story.");
}

TEST_F(NormalizeStageTest, SavesAndReloadsTheLearnerSnapshot) {
  const auto path = std::filesystem::temp_directory_path() / ("normalize_snapshot_" + std::to_string(getpid()));
  config_.learner.snapshot = path.string();
  {
    auto stage = Make();
    for (int i = 0; i < 8; ++i) {
      Article a = Make("Gazette footer line\n\nStory " + std::string(i + 1, 'y') + " about the new bridge.",
                       "https://g.example/x");
      ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
    }
    std::string error;
    ASSERT_TRUE(stage->Persist(&error)) << error;
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  auto stage = Make();
  Article a = Make("Gazette footer line\n\nA new story.", "https://g.example/y");
  ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(a.text, "A new story.");
  std::filesystem::remove(path);
}

// Building and destroying the stage (what check-config does) writes no file; a
// snapshot that cannot be written is an error naming it.
TEST_F(NormalizeStageTest, WritesTheSnapshotOnlyWhenAskedAndReportsFailure) {
  const auto path = std::filesystem::temp_directory_path() / ("normalize_nosave_" + std::to_string(getpid()));
  config_.learner.snapshot = path.string();
  {
    auto stage = Make();
    Article a = Make("Gazette footer line\n\nStory about the bridge.", "https://g.example/x");
    ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  config_.learner.snapshot = "/nonexistent-dir/learner.snapshot";
  auto stage = Make();
  std::string error;
  EXPECT_FALSE(stage->Persist(&error));
  EXPECT_NE(error.find("/nonexistent-dir/learner.snapshot"), std::string::npos) << error;
}

// ingestd_normalize_learner_sources: what a snapshot brought at start-up, then kept
// current every 64 articles.
TEST_F(NormalizeStageTest, LearnerSourcesGaugeStartsFromTheSnapshotAndFollows) {
  auto sources = [](prometheus::Registry& r) {
    for (const auto& f : r.Collect()) {
      if (f.name == "ingestd_normalize_learner_sources") return f.metric.at(0).gauge.value;
    }
    return -1.0;
  };
  const auto path = std::filesystem::temp_directory_path() / ("normalize_gauge_" + std::to_string(getpid()));
  config_.learner.snapshot = path.string();
  {
    prometheus::Registry registry;
    auto stage = MakeNormalizeStage(config_, StageContext{&registry, &clock_});
    EXPECT_EQ(sources(registry), 0);
    for (int i = 0; i < 64; ++i) {
      Article a = Make("Line " + std::to_string(i) + " of a story.", "https://s" + std::to_string(i % 3) + ".example/");
      ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
    }
    EXPECT_EQ(sources(registry), 3);
    std::string error;
    ASSERT_TRUE(stage->Persist(&error)) << error;
  }
  prometheus::Registry registry;
  auto restarted = MakeNormalizeStage(config_, StageContext{&registry, &clock_});
  EXPECT_EQ(sources(registry), 3);
  std::filesystem::remove(path);
}

TEST_F(NormalizeStageTest, ProcessesConcurrentlyFromWorkerThreads) {
  auto stage = Make();
  std::vector<std::thread> workers;
  std::atomic<int> continued{0};
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Article a = Make("Site banner for every page\n\nStory " + Letters(t * 1000 + i) +
                             " with its own words about the harbour.\n\nShare this article",
                         "https://site" + std::to_string(i % 3) + ".example/" + std::to_string(i));
        if (stage->Process(a).verdict == Verdict::kContinue) ++continued;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(continued.load(), 800);
  Article a = Make("Site banner for every page\n\nA last story about the harbour.", "https://site0.example/x");
  ASSERT_EQ(stage->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(a.text, "A last story about the harbour.");
}

}  // namespace
}  // namespace ingestd
