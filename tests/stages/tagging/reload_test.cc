#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <thread>

#include "tests/stages/tagging/tagging_test_util.h"

namespace ingestd::testing {
namespace {

using ::testing::HasSubstr;

const char* kOld = "entities:\n  - id: org/old\n    name: Old\n    aliases: {en: [Xyzzy]}\n";
const char* kNew = "entities:\n  - id: org/new\n    name: New\n    aliases: {en: [Xyzzy]}\n";

double MetricValue(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    double sum = 0;
    for (const auto& m : family.metric) sum += m.counter.value + m.gauge.value;
    return sum;
  }
  return -1;
}

std::string InfoVersion(prometheus::Registry& registry) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "ingestd_tagging_taxonomy_info") continue;
    if (family.metric.size() != 1) return "series: " + std::to_string(family.metric.size());
    for (const auto& label : family.metric[0].label)
      if (label.name == "version") return label.value;
  }
  return "";
}

struct Fixture {
  TempDir dir, generated;
  prometheus::Registry registry;
  std::unique_ptr<Stage> stage;
  explicit Fixture(const char* yaml) {
    dir.Write("t.yaml", yaml);
    TaggingConfig config;
    config.taxonomy_dir = dir.path();
    config.generated_dir = generated.path();  // empty: no countries in these tests
    stage = MakeTaggingStage(config, StageContext{&registry, nullptr});
  }
  std::string FirstTag() {
    Article a = MakeArticle("Xyzzy spoke.");
    EXPECT_EQ(stage->Process(a).verdict, Verdict::kContinue);
    return a.tags && !a.tags->empty() ? (*a.tags)[0].id : "";
  }
};

TEST(TaggingReload, InvalidTaxonomyKeepsTheOldOneAndCountsTheFailure) {
  Fixture f(kOld);
  const std::string version = InfoVersion(f.registry);
  EXPECT_EQ(version.size(), 16u);
  f.dir.Write("t.yaml",
              "entities:\n  - id: org/new\n    name: New\n    parent: org/nowhere\n    aliases: {en: [Xyzzy]}\n");
  std::string error;
  EXPECT_FALSE(f.stage->Reload(&error));
  EXPECT_THAT(error, HasSubstr("t.yaml"));
  EXPECT_THAT(error, HasSubstr("unknown parent"));
  EXPECT_EQ(f.FirstTag(), "org/old");
  EXPECT_EQ(MetricValue(f.registry, "ingestd_tagging_reload_failures_total"), 1);
  EXPECT_EQ(InfoVersion(f.registry), version);

  f.dir.Write("t.yaml", "entities: [this is not: valid");
  EXPECT_FALSE(f.stage->Reload(&error));
  EXPECT_THAT(error, HasSubstr("invalid YAML"));
  EXPECT_EQ(MetricValue(f.registry, "ingestd_tagging_reload_failures_total"), 2);
  EXPECT_EQ(f.FirstTag(), "org/old");
}

TEST(TaggingReload, ValidTaxonomyTakesEffect) {
  Fixture f(kOld);
  const std::string version = InfoVersion(f.registry);
  f.dir.Write("t.yaml", kNew);
  std::string error;
  ASSERT_TRUE(f.stage->Reload(&error)) << error;
  EXPECT_EQ(f.FirstTag(), "org/new");
  EXPECT_EQ(MetricValue(f.registry, "ingestd_tagging_reloads_total"), 1);
  EXPECT_NE(InfoVersion(f.registry), version);  // one series, the new version
  EXPECT_EQ(InfoVersion(f.registry).size(), 16u);
}

TEST(TaggingMetrics, CountsAttachedTagsByType) {
  Fixture f(kOld);
  EXPECT_EQ(MetricValue(f.registry, "ingestd_tagging_tags_total"), 0);
  EXPECT_EQ(f.FirstTag(), "org/old");
  EXPECT_EQ(f.FirstTag(), "org/old");
  EXPECT_EQ(MetricValue(f.registry, "ingestd_tagging_tags_total"), 2);
  for (const auto& family : f.registry.Collect()) {
    if (family.name != "ingestd_tagging_tags_total") continue;
    for (const auto& m : family.metric) {
      const bool organization = m.label.size() == 1 && m.label[0].value == "organization";
      EXPECT_EQ(m.counter.value, organization ? 2 : 0) << m.label[0].value;
    }
  }
}

TEST(TaggingReload, RecordsProcessedDuringReloadsAreAllTagged) {
  Fixture f(kOld);
  std::atomic<bool> stop{false};
  std::atomic<int> processed{0}, untagged{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      while (!stop.load()) {
        Article a = MakeArticle("Xyzzy and Xyzzy.");
        if (f.stage->Process(a).verdict != Verdict::kContinue || !a.tags || a.tags->size() != 1 ||
            (*a.tags)[0].count != 2) {
          ++untagged;
        }
        ++processed;
      }
    });
  }
  std::string error;
  for (int i = 0; i < 20; ++i) {
    f.dir.Write("t.yaml", i % 2 ? kOld : kNew);
    ASSERT_TRUE(f.stage->Reload(&error)) << error;
  }
  // Let the workers see the final taxonomy at least once (deadline, no fixed sleep).
  const int seen = processed.load();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (processed.load() < seen + 100 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  stop = true;
  for (auto& t : workers) t.join();
  EXPECT_GT(processed.load(), 0);
  EXPECT_EQ(untagged.load(), 0);
  EXPECT_EQ(f.FirstTag(), "org/old");
}

TEST(TaggingReload, StartUpFailsOnAnInvalidTaxonomy) {
  TempDir dir, generated;
  dir.Write("t.yaml", "entities:\n  - id: bogus\n    name: X\n    aliases: {en: [Xyzzy]}\n");
  TaggingConfig config;
  config.taxonomy_dir = dir.path();
  config.generated_dir = generated.path();
  EXPECT_THROW((void)MakeTaggingStage(config, StageContext{}), std::runtime_error);
}

}  // namespace
}  // namespace ingestd::testing
