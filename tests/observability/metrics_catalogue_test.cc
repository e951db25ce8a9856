// Every metric any component registers is documented in docs/metrics.md, follows the
// naming rules, and passes `promtool check metrics`; every documented metric of a
// component in this build is really registered.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "config/config.h"
#include "daemon/observability.h"
#include "daemon/pipeline_probe.h"
#include "daemon/processor.h"
#include "daemon/readiness.h"
#include "daemon/runtime_probe.h"
#include "stages/registry.h"
#include "tests/observability/metrics_doc.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

using testing::MetricsDoc;
using testing::ParseMetricsDoc;
using testing::SourceDir;

// A consumer's statistics document, cut down to the fields the probe reads.
constexpr const char* kConsumerStats = R"({"type":"consumer","name":"c","topics":{"articles.raw":{"partitions":{
  "0":{"partition":0,"desired":true,"consumer_lag":5,"consumer_lag_stored":3},
  "-1":{"partition":-1,"desired":false,"consumer_lag":-1,"consumer_lag_stored":-1}}}},
  "cgrp":{"state":"up","rebalance_cnt":1,"assignment_size":1}})";

// Every component's metrics in one registry, with some traffic so labelled series
// exist. Stages come from the registry's BuildStages, one at a time, so a stage
// not in this build yet is skipped (and reported) rather than failing the test.
class Catalogue {
 public:
  Catalogue()
      : pipeline_(registry_),
        runtime_(registry_),
        observability_(LoadConfig(SourceDir() + "/config/ingestd.yaml"), registry_, readiness_, clock_) {
    components_ = {"pipeline", "runtime", "kafka", "build"};
    (void)observability_.kafka_stats().Update(kConsumerStats);
    (void)observability_.kafka_stats().Update(R"({"type":"producer","msg_cnt":2,"msg_size":300})");

    // Every stage, as config/ingestd.yaml ships them.
    auto config = LoadConfig(SourceDir() + "/config/ingestd.yaml");
    for (const auto& name : config->pipeline.stages) components_.insert(name);
    auto stages = BuildStages(*config, StageContext{&registry_, &clock_});
    Processor processor(config, std::move(stages), pipeline_);
    std::ifstream in(SourceDir() + "/tests/fixtures/replay/articles.jsonl");
    for (std::string line; std::getline(in, line);) processor.Routed(processor.Process(line, nullptr));
    std::ifstream bad(SourceDir() + "/tests/fixtures/replay/bad.jsonl");
    for (std::string line; std::getline(bad, line);) processor.Routed(processor.Process(line, nullptr));
  }

  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const { return registry_.Collect(); }
  [[nodiscard]] const std::set<std::string>& components() const { return components_; }

 private:
  prometheus::Registry registry_;
  ManualClock clock_;
  Readiness readiness_;
  PipelineProbe pipeline_;
  RuntimeProbe runtime_;
  Observability observability_;
  std::set<std::string> components_;
};

std::string TypeName(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Histogram: return "histogram";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Untyped: return "untyped";
  }
  return "?";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class MetricsCatalogueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    catalogue_ = new Catalogue();
    doc_ = new MetricsDoc(ParseMetricsDoc());
  }
  static void TearDownTestSuite() {
    delete catalogue_;
    delete doc_;
  }
  static Catalogue* catalogue_;
  static MetricsDoc* doc_;
};
Catalogue* MetricsCatalogueTest::catalogue_ = nullptr;
MetricsDoc* MetricsCatalogueTest::doc_ = nullptr;

TEST_F(MetricsCatalogueTest, DocumentParsesIntoACatalogue) {
  EXPECT_GE(doc_->metrics.size(), 10u);
  for (const auto& [name, m] : doc_->metrics) {
    EXPECT_TRUE(m.type == "counter" || m.type == "gauge" || m.type == "histogram") << name << ": " << m.type;
    EXPECT_FALSE(m.component.empty()) << name;
  }
}

TEST_F(MetricsCatalogueTest, EveryRegisteredMetricIsDocumentedWithItsTypeAndLabels) {
  for (const auto& family : catalogue_->Collect()) {
    if (doc_->planned.count(family.name)) {
      ADD_FAILURE() << family.name
                    << " is registered now: move it from \"Planned\" to \"Catalogue\" in docs/metrics.md";
      continue;
    }
    auto it = doc_->metrics.find(family.name);
    if (it == doc_->metrics.end()) {
      ADD_FAILURE() << family.name << " is registered but missing from docs/metrics.md";
      continue;
    }
    EXPECT_EQ(it->second.type, TypeName(family.type)) << family.name;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_TRUE(it->second.labels.count(label.name))
            << family.name << " has label \"" << label.name << "\" not documented in docs/metrics.md";
      }
    }
  }
}

TEST_F(MetricsCatalogueTest, EveryDocumentedMetricOfABuiltComponentIsRegistered) {
  std::set<std::string> registered;
  for (const auto& family : catalogue_->Collect()) registered.insert(family.name);
  for (const auto& [name, m] : doc_->metrics) {
    if (!catalogue_->components().count(m.component)) continue;  // the runtime's, checked by its daemon test
    EXPECT_TRUE(registered.count(name)) << name << " is documented for component \"" << m.component
                                        << "\", which is built, but nothing registers it";
  }
}

TEST_F(MetricsCatalogueTest, NamesFollowPrometheusConventionsAndLabelsAreBounded) {
  const std::regex snake("^ingestd_[a-z0-9]+(_[a-z0-9]+)*$");
  // Labels that would carry one value per record: forbidden.
  const std::set<std::string> unbounded{"url", "id", "article_id", "title", "key", "offset", "message", "source_url"};
  for (const auto& family : catalogue_->Collect()) {
    EXPECT_TRUE(std::regex_match(family.name, snake)) << family.name;
    EXPECT_FALSE(family.help.empty()) << family.name << " has no help text";
    if (family.type == prometheus::MetricType::Counter) {
      EXPECT_TRUE(EndsWith(family.name, "_total")) << family.name << ": counters end in _total";
    } else {
      EXPECT_FALSE(EndsWith(family.name, "_total")) << family.name << ": only counters end in _total";
    }
    if (family.type == prometheus::MetricType::Histogram) {
      EXPECT_TRUE(EndsWith(family.name, "_seconds") || EndsWith(family.name, "_bytes"))
          << family.name << ": histograms carry their base unit";
    }
    EXPECT_FALSE(EndsWith(family.name, "_milliseconds") || EndsWith(family.name, "_ms")) << family.name;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_FALSE(unbounded.count(label.name)) << family.name << " is labelled by " << label.name;
      }
    }
  }
}

TEST_F(MetricsCatalogueTest, PromtoolAcceptsTheExposition) {
  const std::string text = prometheus::TextSerializer().Serialize(catalogue_->Collect());
  const auto path = std::filesystem::temp_directory_path() / ("ingestd_catalogue_" + std::to_string(::getpid()));
  std::ofstream(path) << text;
  const std::string cmd = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  std::filesystem::remove(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out, "") << out;
}

}  // namespace
}  // namespace ingestd
