#include "stages/dedupe/dedupe_stage.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "config/normalize_config.h"
#include "stages/normalize/normalize_stage.h"
#include "tests/support/prose.h"

namespace ingestd {
namespace {

using namespace std::chrono_literals;

// Deterministic made-up prose: words of two or three syllables, sentences, paragraphs.
std::string Prose(uint64_t seed, int words) {
  return testing::SyllableProse(seed, words,
                                {.min_syllables = 2, .max_syllables = 3, .paragraph_every = 60, .final_stop = true});
}

std::string Words(const std::string& text, double from, double to) {
  // The part of `text` between two fractions of its length, cut at spaces.
  size_t a = static_cast<size_t>(text.size() * from);
  size_t b = static_cast<size_t>(text.size() * to);
  while (a > 0 && a < text.size() && text[a - 1] != ' ') ++a;
  while (b < text.size() && text[b] != ' ') ++b;
  return text.substr(a, b - a);
}

// Prose that keeps mentioning `names` (one word in eight), as a news story does.
std::string StoryProse(uint64_t seed, int words, const std::vector<std::string>& names) {
  std::string text = Prose(seed, words);
  std::mt19937_64 rng(seed ^ 0x5151);
  std::string out;
  size_t start = 0;
  for (int i = 0;; ++i) {
    const size_t end = text.find(' ', start);
    const std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    out += (i % 8 == 3 && word.find('.') == std::string::npos) ? names[rng() % names.size()] : word;
    if (end == std::string::npos) break;
    out += ' ';
    start = end + 1;
  }
  return out;
}

class DedupeStageTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(); }

  void Build() {
    stage_.reset();
    registry_ = std::make_unique<prometheus::Registry>();
    normalize_ = MakeNormalizeStage(NormalizeConfig{}, StageContext{registry_.get(), &clock_});
    stage_ = MakeDedupeStage(config_, StageContext{registry_.get(), &clock_});
  }

  Article Run(const std::string& id, const std::string& url, const std::string& text, StageResult* out = nullptr,
              std::optional<InputPosition> input = std::nullopt) {
    Article a;
    a.id = id;
    a.url = url;
    a.text = text;
    a.input = std::move(input);
    EXPECT_EQ(normalize_->Process(a).verdict, Verdict::kContinue);
    StageResult r = stage_->Process(a);
    if (out) *out = r;
    clock_.Advance(1min);
    return a;
  }

  std::string Metrics() {
    prometheus::TextSerializer s;
    return s.Serialize(registry_->Collect());
  }

  // Article `id` indexed by another replica (its own dedupe stage, this clock) and the
  // entry it publishes, as it arrives through the shared topic: encoded, then decoded.
  // Empty (after a failed expectation) when the other replica did not index it.
  std::optional<dedupe::IndexEntry> EntryFromAnotherReplica(const std::string& id, const std::string& url,
                                                            const std::string& text,
                                                            std::optional<InputPosition> input = std::nullopt);

  DedupeConfig config_;
  std::unique_ptr<prometheus::Registry> registry_;
  ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50))};
  std::unique_ptr<Stage> normalize_;
  std::unique_ptr<Stage> stage_;
};

TEST_F(DedupeStageTest, MarksFirstArticleUniqueWithItsOwnStory) {
  const Article a = Run("a", "https://x.example/1", Prose(1, 400));
  ASSERT_TRUE(a.dedupe);
  EXPECT_EQ(a.dedupe->status, DedupeStatus::kUnique);
  EXPECT_TRUE(a.dedupe->duplicate_of.empty());
  EXPECT_FALSE(a.dedupe->story_id.empty());
}

TEST_F(DedupeStageTest, FlagsExactCopyAtAnotherUrlAndRoutesIt) {
  const std::string text = Prose(2, 400);
  const Article a = Run("a", "https://x.example/1", text);
  StageResult r;
  const Article b = Run("b", "https://y.example/copy", text, &r);
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kExact);
  EXPECT_EQ(b.dedupe->duplicate_of, "a");
  EXPECT_DOUBLE_EQ(b.dedupe->similarity, 1.0);
  EXPECT_EQ(b.dedupe->story_id, a.dedupe->story_id);
  EXPECT_EQ(r.verdict, Verdict::kDuplicate);
}

TEST_F(DedupeStageTest, FlagsTruncatedCopyAsNearDuplicate) {
  const std::string text = Prose(3, 600);
  Run("a", "https://x.example/1", text);
  const Article b = Run("b", "https://y.example/2", Words(text, 0, 0.4) + "\n\nClick here to read the rest");
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(b.dedupe->duplicate_of, "a");
  EXPECT_GE(b.dedupe->similarity, 0.8);
}

TEST_F(DedupeStageTest, FlagsTemplateWrappedCopyAsNearDuplicate) {
  const std::string text = Prose(4, 500);
  Run("a", "https://x.example/1", text);
  const Article b = Run("b", "https://y.example/2",
                        "Daily Wire Desk | world news\n\n" + text + "\n\nFollow us on Telegram. All rights reserved.");
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(b.dedupe->duplicate_of, "a");
}

TEST_F(DedupeStageTest, FlagsLightlyEditedCopyAsNearDuplicate) {
  const std::string text = Prose(5, 500);
  std::string edited = text;
  for (size_t i = 100; i + 4 < edited.size(); i += 300) edited.replace(i, 2, "qx");
  Run("a", "https://x.example/1", text);
  const Article b = Run("b", "https://y.example/2", edited);
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
}

TEST_F(DedupeStageTest, KeepsDigestHoldingAnEarlierArticleUnique) {
  const std::string text = Prose(6, 300);
  Run("a", "https://x.example/1", text);
  const Article d = Run("d", "https://y.example/digest", text + "\n\n" + Prose(60, 500));
  EXPECT_EQ(d.dedupe->status, DedupeStatus::kUnique);
}

TEST_F(DedupeStageTest, KeepsArticleSharingTwoThirdsUnique) {
  const std::string text = Prose(7, 600);
  Run("a", "https://x.example/1", text);
  const Article b = Run("b", "https://y.example/2", Words(text, 0, 0.6) + "\n\n" + Prose(70, 190));
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kUnique);
}

TEST_F(DedupeStageTest, KeepsDifferentArticlesInOneTemplateUnique) {
  const std::string header = "Daily Wire Desk | world news and analysis from our correspondents\n\n";
  const std::string footer = "\n\nFollow us on Telegram. Subscribe to our newsletter. All rights reserved.";
  Run("a", "https://x.example/1", header + Prose(8, 300) + footer);
  const Article b = Run("b", "https://x.example/2", header + Prose(80, 300) + footer);
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kUnique);
}

TEST_F(DedupeStageTest, LinksChangedTextAtSameUrlAsRevision) {
  const std::string text = Prose(9, 400);
  const Article a = Run("a", "https://x.example/story?utm_source=feed", text);
  const Article b = Run("b", "https://x.example/story", text + "\n\nUpdate: " + Prose(90, 40));
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kUnique);
  EXPECT_EQ(b.dedupe->revision_of, "a");
  EXPECT_EQ(b.dedupe->story_id, a.dedupe->story_id);
}

TEST_F(DedupeStageTest, NamesEarliestArticleOfTheGroup) {
  const std::string text = Prose(10, 500);
  Run("a", "https://x.example/1", text);
  const std::string wrapped = "Site B | news\n\n" + text + "\n\nAll rights reserved.";
  Run("b", "https://y.example/1", wrapped);
  const Article c = Run("c", "https://z.example/1", wrapped);
  EXPECT_EQ(c.dedupe->status, DedupeStatus::kExact);
  EXPECT_EQ(c.dedupe->duplicate_of, "a");
}

TEST_F(DedupeStageTest, ContinuesStatusesNotRoutedToDuplicates) {
  config_.route_to_duplicates = {"exact"};
  Build();
  const std::string text = Prose(11, 500);
  Run("a", "https://x.example/1", text);
  StageResult r;
  const Article b = Run("b", "https://y.example/1", Words(text, 0, 0.5), &r);
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(r.verdict, Verdict::kContinue);
}

TEST_F(DedupeStageTest, CatchesChineseJapaneseAndThaiCopies) {
  const std::string zh = "政府官员周二表示，边境地区的安全部队在夜间行动中逮捕了十二名嫌疑人。";
  const std::string ja = "政府当局は火曜日、国境地帯の治安部隊が夜間の作戦で容疑者十二人を逮捕したと発表した。";
  const std::string th = "เจ้าหน้าที่รัฐบาลกล่าวเมื่อวันอังคารว่ากองกำลังความมั่นคงในพื้นที่ชายแดนได้จับกุมผู้ต้องสงสัยสิบสองคน ";
  int n = 0;
  for (const std::string& sentence : {zh, ja, th}) {
    std::string text, truncated;
    for (int i = 0; i < 12; ++i) {
      text += std::to_string(i * 7 + n) + sentence;  // numbers keep the sentences distinct
      if (i == 6) truncated = text;
    }
    const std::string id = std::string("orig") + std::to_string(n);
    Run(id, "https://x.example/" + id, text);
    const Article copy = Run(std::string("copy") + std::to_string(n), "https://y.example/" + id, truncated);
    EXPECT_EQ(copy.dedupe->status, DedupeStatus::kNear) << id;
    EXPECT_EQ(copy.dedupe->duplicate_of, id);
    ++n;
  }
}

TEST_F(DedupeStageTest, ForgetsArticlesOutsideTheWindow) {
  const std::string text = Prose(12, 300);
  Run("a", "https://x.example/1", text);
  clock_.Advance(std::chrono::hours(config_.window_hours) + 1min);
  const Article b = Run("b", "https://y.example/1", text);
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kUnique);
  EXPECT_NE(Metrics().find("ingestd_dedupe_evictions_total{reason=\"window\"} 1"), std::string::npos);
}

TEST_F(DedupeStageTest, EvictsOldestFirstWhenOverBudget) {
  config_.memory_budget_bytes = 1 << 20;
  Build();
  for (int i = 0; i < 3000; ++i)
    Run(std::string("a") + std::to_string(i), "https://x.example/" + std::to_string(i), Prose(100 + i, 60));
  auto* dedupe = dynamic_cast<DedupeStage*>(stage_.get());
  const auto stats = dedupe->Stats();
  EXPECT_LT(stats.entries, 3000u);
  EXPECT_GT(stats.evicted_budget, 0u);
  // The newest is still there, the oldest is gone.
  EXPECT_EQ(Run("n", "https://y.example/n", Prose(100 + 2999, 60)).dedupe->status, DedupeStatus::kExact);
  EXPECT_EQ(Run("o", "https://y.example/o", Prose(100, 60)).dedupe->status, DedupeStatus::kUnique);
}

TEST_F(DedupeStageTest, SnapshotLetsALaterReplayCatchCopies) {
  const auto path = std::filesystem::temp_directory_path() / ("dedupe_snapshot_test_" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  config_.snapshot_file = path.string();
  Build();
  const std::string text = Prose(13, 400);
  Run("a", "https://x.example/1", text);
  std::string error;
  ASSERT_TRUE(dynamic_cast<DedupeStage*>(stage_.get())->Flush(&error)) << error;
  Build();  // a later replay with the same config
  EXPECT_EQ(dynamic_cast<DedupeStage*>(stage_.get())->Stats().entries, 1u);
  const Article b = Run("b", "https://y.example/1", Words(text, 0, 0.5));
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(b.dedupe->duplicate_of, "a");
  std::filesystem::remove(path);
}

TEST_F(DedupeStageTest, RejectsACorruptSnapshotAtStart) {
  const auto path = std::filesystem::temp_directory_path() / ("dedupe_bad_snapshot_" + std::to_string(::getpid()));
  { std::ofstream(path) << "not a snapshot"; }
  config_.snapshot_file = path.string();
  EXPECT_THROW(MakeDedupeStage(config_, StageContext{nullptr, &clock_}), std::runtime_error);
  std::filesystem::remove(path);
}

class RecordingLog : public dedupe::IndexLog {
 public:
  void Publish(const dedupe::IndexEntry& entry) override {
    std::lock_guard lock(mu);
    published.push_back(entry);
  }
  void Expire(const std::string& id) override {
    std::lock_guard lock(mu);
    expired.push_back(id);
  }
  std::mutex mu;
  std::vector<dedupe::IndexEntry> published;
  std::vector<std::string> expired;
};

std::optional<dedupe::IndexEntry> DedupeStageTest::EntryFromAnotherReplica(const std::string& id,
                                                                           const std::string& url,
                                                                           const std::string& text,
                                                                           std::optional<InputPosition> input) {
  RecordingLog log;
  auto other = MakeDedupeStage(config_, StageContext{nullptr, &clock_});
  dynamic_cast<DedupeStage*>(other.get())->SetLog(&log);
  Article a;
  a.id = id;
  a.url = url;
  a.text = text;
  a.input = std::move(input);
  EXPECT_EQ(normalize_->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(other->Process(a).verdict, Verdict::kContinue);
  EXPECT_EQ(log.published.size(), 1u);
  if (log.published.size() != 1) return std::nullopt;
  return dedupe::DecodeEntry(dedupe::EncodeEntry(log.published[0]));
}

TEST_F(DedupeStageTest, CatchesCopyOfAnArticleIndexedByAnotherReplica) {
  const std::string text = Prose(14, 400);
  const auto decoded = EntryFromAnotherReplica("a", "https://x.example/1", text);
  ASSERT_TRUE(decoded);
  auto* mine = dynamic_cast<DedupeStage*>(stage_.get());
  EXPECT_TRUE(mine->ApplyEntry(*decoded));
  EXPECT_FALSE(mine->ApplyEntry(*decoded));  // idempotent
  const Article b = Run("b", "https://y.example/1", Words(text, 0.2, 0.9));
  EXPECT_EQ(b.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(b.dedupe->duplicate_of, "a");
}

// The runtime consumes a record again after a crash or a rebalance; its entry is
// already indexed (here, or restored from the shared log). It is not a copy of
// itself: it gets the verdict it got the first time and is not indexed twice,
// while the same text published again (another offset) is an exact copy.
TEST_F(DedupeStageTest, TheSameInputRecordDeliveredAgainIsNotACopyOfItself) {
  RecordingLog log;
  dynamic_cast<DedupeStage*>(stage_.get())->SetLog(&log);
  const std::string text = Prose(17, 500);
  const InputPosition first{"articles.raw", 3, 1200};
  StageResult r;
  const Article a = Run("a", "https://x.example/1", text, &r, first);
  ASSERT_EQ(a.dedupe->status, DedupeStatus::kUnique);
  ASSERT_EQ(log.published.size(), 1u);
  EXPECT_EQ(log.published[0].delivery, dedupe::DeliveryKey("articles.raw", 3, 1200));

  const Article again = Run("a", "https://x.example/1", text, &r, first);
  EXPECT_EQ(r.verdict, Verdict::kContinue);
  EXPECT_EQ(again.dedupe->status, DedupeStatus::kUnique);
  EXPECT_TRUE(again.dedupe->duplicate_of.empty());
  EXPECT_EQ(again.dedupe->story_id, a.dedupe->story_id);
  EXPECT_EQ(log.published.size(), 1u);  // not indexed twice
  EXPECT_EQ(dynamic_cast<DedupeStage*>(stage_.get())->Stats().entries, 1u);
  EXPECT_NE(Metrics().find("ingestd_dedupe_redelivered_total 1"), std::string::npos) << Metrics();

  // A near copy delivered twice is near the same original both times.
  const InputPosition copy_at{"articles.raw", 5, 77};
  const Article b = Run("b", "https://y.example/2", Words(text, 0, 0.5), &r, copy_at);
  ASSERT_EQ(b.dedupe->status, DedupeStatus::kNear);
  const Article b_again = Run("b", "https://y.example/2", Words(text, 0, 0.5), &r, copy_at);
  EXPECT_EQ(b_again.dedupe->status, DedupeStatus::kNear);
  EXPECT_EQ(b_again.dedupe->duplicate_of, "a");
  EXPECT_EQ(b_again.dedupe->similarity, b.dedupe->similarity);
  EXPECT_EQ(r.verdict, Verdict::kDuplicate);
  EXPECT_NE(Metrics().find("ingestd_dedupe_redelivered_total 2"), std::string::npos) << Metrics();

  // The scraper publishing the same article again (same id, another offset), and a
  // file replay (no position), are exact copies.
  const Article resent = Run("a", "https://x.example/1", text, &r, InputPosition{"articles.raw", 3, 1300});
  EXPECT_EQ(resent.dedupe->status, DedupeStatus::kExact);
  EXPECT_EQ(resent.dedupe->duplicate_of, "a");
  EXPECT_EQ(Run("a", "https://x.example/1", text).dedupe->status, DedupeStatus::kExact);
  EXPECT_NE(Metrics().find("ingestd_dedupe_redelivered_total 2"), std::string::npos) << Metrics();
}

// Judged again as when first delivered: not against what was indexed after it (a
// longer article holding it, a near copy of it), and a revision stays a revision.
TEST_F(DedupeStageTest, ARecordDeliveredAgainIsJudgedOnlyAgainstWhatCameBeforeIt) {
  const std::string text = Prose(19, 500);
  const InputPosition at{"articles.raw", 1, 10};
  StageResult r;
  ASSERT_EQ(Run("a", "https://x.example/a", text, &r, at).dedupe->status, DedupeStatus::kUnique);
  // Indexed after it: a longer article holding all of it, and a copy with a few words more.
  ASSERT_EQ(Run("c", "https://y.example/c", Prose(20, 150) + "\n\n" + text + "\n\n" + Prose(21, 150), &r,
                InputPosition{"articles.raw", 1, 11})
                .dedupe->status,
            DedupeStatus::kUnique);
  ASSERT_EQ(Run("b", "https://z.example/b", text + " " + Prose(22, 30), &r, InputPosition{"articles.raw", 1, 12})
                .dedupe->status,
            DedupeStatus::kNear);
  const Article again = Run("a", "https://x.example/a", text, &r, at);
  EXPECT_EQ(again.dedupe->status, DedupeStatus::kUnique);
  EXPECT_TRUE(again.dedupe->duplicate_of.empty()) << again.dedupe->duplicate_of;
  EXPECT_EQ(r.verdict, Verdict::kContinue);

  // A new revision at a URL is never a copy, delivered again or not.
  const std::string v1 = Prose(23, 400);
  ASSERT_EQ(Run("r1", "https://news.example/story", v1, &r, InputPosition{"articles.raw", 2, 1}).dedupe->status,
            DedupeStatus::kUnique);
  const std::string v2 = v1 + " " + Prose(24, 40);
  const InputPosition v2_at{"articles.raw", 2, 2};
  const Article revision = Run("r2", "https://news.example/story", v2, &r, v2_at);
  ASSERT_EQ(revision.dedupe->status, DedupeStatus::kUnique);
  ASSERT_EQ(revision.dedupe->revision_of, "r1");
  const Article revision_again = Run("r2", "https://news.example/story", v2, &r, v2_at);
  EXPECT_EQ(revision_again.dedupe->status, DedupeStatus::kUnique);
  EXPECT_EQ(r.verdict, Verdict::kContinue);
}

// Across replicas and restarts: the entry comes back from the shared log with its
// delivery key, and the record consumed again by the next replica is judged as new.
TEST_F(DedupeStageTest, ARecordConsumedAgainByAnotherReplicaIsNotACopyOfItself) {
  const std::string text = Prose(18, 400);
  const auto decoded = EntryFromAnotherReplica("a", "https://x.example/1", text, InputPosition{"articles.raw", 0, 42});
  ASSERT_TRUE(decoded);
  ASSERT_TRUE(dynamic_cast<DedupeStage*>(stage_.get())->ApplyEntry(*decoded));
  StageResult r;
  const Article again = Run("a", "https://x.example/1", text, &r, InputPosition{"articles.raw", 0, 42});
  EXPECT_EQ(again.dedupe->status, DedupeStatus::kUnique);
  EXPECT_EQ(r.verdict, Verdict::kContinue);
}

TEST_F(DedupeStageTest, PublishesIndexedEntriesAndExpiresOldOnes) {
  RecordingLog log;
  dynamic_cast<DedupeStage*>(stage_.get())->SetLog(&log);
  const std::string text = Prose(15, 300);
  Run("a", "https://x.example/1", text);
  Run("b", "https://y.example/1", text);  // exact: nothing new to publish
  EXPECT_EQ(log.published.size(), 1u);
  clock_.Advance(std::chrono::hours(config_.window_hours));
  Run("c", "https://z.example/1", Prose(16, 300));
  ASSERT_EQ(log.expired.size(), 1u);
  EXPECT_EQ(log.expired[0], "a");
}

TEST_F(DedupeStageTest, ConcurrentCopiesLeaveExactlyOneUnique) {
  // Each round, every thread holds a copy of the same new text; a barrier releases them
  // together into Process, so a check-then-insert race would let two of them in as unique.
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<std::vector<Article>> copies(kRounds);
  for (int r = 0; r < kRounds; ++r) {
    const std::string text = Prose(5000 + r, 300);
    for (int t = 0; t < kThreads; ++t) {
      Article a;
      a.id = "r" + std::to_string(r) + "-t" + std::to_string(t);
      a.url = "https://x.example/" + a.id;
      a.text = text;
      ASSERT_EQ(normalize_->Process(a).verdict, Verdict::kContinue);
      copies[r].push_back(std::move(a));
    }
  }
  std::vector<std::vector<Verdict>> verdicts(kRounds, std::vector<Verdict>(kThreads));
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        start.arrive_and_wait();
        verdicts[r][t] = stage_->Process(copies[r][t]).verdict;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < kRounds; ++r) {
    std::string unique_id;
    int unique = 0;
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_TRUE(copies[r][t].dedupe) << "round " << r;
      if (copies[r][t].dedupe->status == DedupeStatus::kUnique) {
        ++unique;
        unique_id = copies[r][t].id;
        EXPECT_EQ(verdicts[r][t], Verdict::kContinue);
      }
    }
    ASSERT_EQ(unique, 1) << "round " << r << ": " << unique << " of " << kThreads << " copies judged unique";
    for (int t = 0; t < kThreads; ++t) {
      const Article& a = copies[r][t];
      if (a.id == unique_id) continue;
      EXPECT_EQ(a.dedupe->status, DedupeStatus::kExact) << a.id;
      EXPECT_EQ(a.dedupe->duplicate_of, unique_id) << a.id;
      EXPECT_EQ(verdicts[r][t], Verdict::kDuplicate) << a.id;
    }
  }
}

class DedupeStoryTest : public DedupeStageTest {
 protected:
  // Story links wait until the term counts have seen a few hundred articles.
  void WarmUp() {
    for (int i = 0; i < 220; ++i)
      Run("w" + std::to_string(i), "https://w.example/" + std::to_string(i), Prose(9000 + i, 300));
  }
};

TEST_F(DedupeStoryTest, GivesARewriteTheStoryOfItsLeadWithoutCallingItACopy) {
  WarmUp();
  const std::vector<std::string> names = {"zarkovia", "meltranor", "4417", "odessian", "brulevka", "1963"};
  const Article lead = Run("lead", "https://a.example/1", StoryProse(1, 500, names));
  // Other words, most of the names: a rewrite of the same wire report.
  StageResult r;
  const Article rewrite = Run("rewrite", "https://b.example/2",
                              StoryProse(2, 350, {"zarkovia", "meltranor", "4417", "odessian", "kavintor"}), &r);
  ASSERT_TRUE(rewrite.dedupe && lead.dedupe);
  EXPECT_EQ(rewrite.dedupe->status, DedupeStatus::kUnique);
  EXPECT_EQ(r.verdict, Verdict::kContinue);
  EXPECT_EQ(rewrite.dedupe->story_id, lead.dedupe->story_id);
  EXPECT_TRUE(rewrite.dedupe->duplicate_of.empty());
  EXPECT_NE(Metrics().find("ingestd_dedupe_story_links_total 1"), std::string::npos);
}

TEST_F(DedupeStoryTest, KeepsAnotherStoryOnTheSameTopicApart) {
  WarmUp();
  const Article lead =
      Run("lead", "https://a.example/1", StoryProse(1, 500, {"zarkovia", "meltranor", "4417", "odessian", "brulevka"}));
  // Shares the country and one figure, otherwise other names.
  const Article other = Run("other", "https://b.example/2",
                            StoryProse(3, 400, {"zarkovia", "4417", "pelumbra", "tosvarek", "9120", "gandrivo"}));
  ASSERT_TRUE(other.dedupe && lead.dedupe);
  EXPECT_NE(other.dedupe->story_id, lead.dedupe->story_id);
}

TEST_F(DedupeStoryTest, LinksNoStoryOutsideTheStoryWindow) {
  config_.story_window_hours = 2;
  Build();
  WarmUp();
  const std::vector<std::string> names = {"zarkovia", "meltranor", "4417", "odessian", "brulevka"};
  const Article lead = Run("lead", "https://a.example/1", StoryProse(1, 500, names));
  clock_.Advance(3h);
  const Article rewrite = Run("rewrite", "https://b.example/2", StoryProse(2, 400, names));
  ASSERT_TRUE(rewrite.dedupe && lead.dedupe);
  EXPECT_NE(rewrite.dedupe->story_id, lead.dedupe->story_id);
}

TEST_F(DedupeStageTest, CountsVerdictsAndIndexSize) {
  const std::string text = Prose(18, 300);
  Run("a", "https://x.example/1", text);
  Run("b", "https://y.example/1", text);
  const std::string m = Metrics();
  EXPECT_NE(m.find("ingestd_dedupe_verdicts_total{status=\"unique\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("ingestd_dedupe_verdicts_total{status=\"exact\"} 1"), std::string::npos);
  EXPECT_NE(m.find("ingestd_dedupe_index_entries 1"), std::string::npos);
}

}  // namespace
}  // namespace ingestd
