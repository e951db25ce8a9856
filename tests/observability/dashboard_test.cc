// The shipped Grafana dashboard and alert rules (helm/ingestd/files/): valid, and
// every metric their queries name is one docs/metrics.md lists (and the catalogue
// test holds the registry to that document). PromQL syntax is checked by promtool.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/observability/metrics_doc.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

using testing::ParseMetricsDoc;
using testing::SourceDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The metric names a PromQL expression selects. Not a parser: it removes string
// literals, label matchers, ranges and grouping clauses, then keeps identifiers
// that are neither functions, keywords, numbers nor $variables.
std::set<std::string> MetricNames(std::string q) {
  static const std::regex kStrings(R"("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)");
  static const std::regex kMatchers(R"(\{[^}]*\})");
  static const std::regex kRanges(R"(\[[^\]]*\])");
  static const std::regex kGrouping(R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))");
  static const std::regex kToken(R"(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[0-9][0-9A-Za-z_.]*|[A-Za-z_:][A-Za-z0-9_:]*)");
  static const std::set<std::string> kKeywords{"by",   "without", "on",  "ignoring", "group_left", "group_right",
                                               "bool", "and",     "or",  "unless",   "offset",     "inf",
                                               "nan",  "atan2",   "Inf", "NaN"};
  q = std::regex_replace(q, kStrings, " ");
  q = std::regex_replace(q, kMatchers, " ");
  q = std::regex_replace(q, kRanges, " ");
  q = std::regex_replace(q, kGrouping, " ");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(q.begin(), q.end(), kToken); it != std::sregex_iterator(); ++it) {
    const std::string t = it->str();
    if (t[0] == '$' || (t[0] >= '0' && t[0] <= '9') || kKeywords.count(t)) continue;
    size_t next = static_cast<size_t>(it->position() + it->length());
    while (next < q.size() && q[next] == ' ') ++next;
    if (next < q.size() && q[next] == '(') continue;  // a function
    names.insert(t);
  }
  return names;
}

// Grafana variables replaced by values Prometheus accepts, for promtool.
std::string Concrete(std::string q) {
  for (const auto& [var, value] : std::vector<std::pair<std::string, std::string>>{{"$__rate_interval", "5m"},
                                                                                   {"$__interval", "1m"},
                                                                                   {"$__range", "1h"},
                                                                                   {"$namespace", ".*"},
                                                                                   {"$job", ".*"}}) {
    for (size_t p; (p = q.find(var)) != std::string::npos;) q.replace(p, var.size(), value);
  }
  return q;
}

struct Query {
  std::string where;  // panel title or variable name
  std::string expr;
};

// Panels may nest in collapsed rows.
void CollectPanels(const rapidjson::Value& panels, std::vector<const rapidjson::Value*>& out) {
  for (const auto& p : panels.GetArray()) {
    out.push_back(&p);
    if (p.HasMember("panels") && p["panels"].IsArray()) CollectPanels(p["panels"], out);
  }
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = ReadFile(SourceDir() + "/helm/ingestd/files/dashboard.json");
    doc_.Parse(text_.c_str());
  }
  std::vector<Query> Queries() const {
    std::vector<Query> out;
    std::vector<const rapidjson::Value*> panels;
    CollectPanels(doc_["panels"], panels);
    for (const auto* p : panels) {
      if (!p->HasMember("targets") || !(*p)["targets"].IsArray()) continue;
      for (const auto& t : (*p)["targets"].GetArray()) {
        out.push_back({(*p)["title"].GetString(), t["expr"].GetString()});
      }
    }
    static const std::regex kLabelValues(R"(label_values\(\s*(.*),\s*[A-Za-z_]+\s*\)$)");
    for (const auto& v : doc_["templating"]["list"].GetArray()) {
      if (std::string(v["type"].GetString()) != "query") continue;
      const auto& q = v["query"];
      const std::string query = q.IsString() ? q.GetString() : q["query"].GetString();
      std::smatch m;
      if (std::regex_match(query, m, kLabelValues)) out.push_back({v["name"].GetString(), m[1].str()});
    }
    return out;
  }

  std::string text_;
  rapidjson::Document doc_;
};

TEST(MetricNamesTest, FindsSelectorsAndSkipsFunctionsLabelsAndKeywords) {
  EXPECT_EQ(MetricNames("histogram_quantile(0.9, sum by (le, stage) (rate(a_seconds_bucket{x=\"y\", z=~\"$job\"}"
                        "[$__rate_interval]))) / on(pod) group_left(version) b_info offset 5m"),
            (std::set<std::string>{"a_seconds_bucket", "b_info"}));
  EXPECT_EQ(MetricNames("sum(rate(x_total[5m])) > bool 0 and up == 1 unless count without (pod) (y)"),
            (std::set<std::string>{"x_total", "up", "y"}));
  EXPECT_EQ(MetricNames("delta(sum by (namespace) (lag)[15m:1m]) > 1e3"), (std::set<std::string>{"lag"}));
}

TEST_F(DashboardTest, IsValidGrafanaDashboardJson) {
  ASSERT_FALSE(doc_.HasParseError()) << "offset " << doc_.GetErrorOffset();
  ASSERT_TRUE(doc_.IsObject());
  EXPECT_STREQ(doc_["title"].GetString(), "ingestd");
  EXPECT_TRUE(doc_["uid"].IsString());
  EXPECT_GE(doc_["schemaVersion"].GetInt(), 30);
  ASSERT_TRUE(doc_["panels"].IsArray());
  ASSERT_TRUE(doc_["templating"]["list"].IsArray());

  std::vector<const rapidjson::Value*> panels;
  CollectPanels(doc_["panels"], panels);
  std::set<int> ids;
  struct Box {
    int x, y, w, h;
    std::string title;
  };
  std::vector<Box> boxes;
  for (const auto* p : panels) {
    const std::string title = (*p)["title"].GetString();
    EXPECT_TRUE(ids.insert((*p)["id"].GetInt()).second) << "duplicate panel id in " << title;
    const auto& g = (*p)["gridPos"];
    const Box b{g["x"].GetInt(), g["y"].GetInt(), g["w"].GetInt(), g["h"].GetInt(), title};
    EXPECT_LE(b.x + b.w, 24) << title;
    for (const auto& o : boxes) {
      const bool overlap = b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h;
      EXPECT_FALSE(overlap) << title << " overlaps " << o.title;
    }
    boxes.push_back(b);
    if (std::string((*p)["type"].GetString()) == "row") continue;
    // Every panel queries the dashboard's data source variable, so it works in any Grafana.
    EXPECT_STREQ((*p)["datasource"]["uid"].GetString(), "${datasource}") << title;
    ASSERT_TRUE((*p)["targets"].IsArray()) << title;
    EXPECT_FALSE((*p)["targets"].Empty()) << title;
  }
}

TEST_F(DashboardTest, EveryQueryNamesOnlyDocumentedMetrics) {
  ASSERT_FALSE(doc_.HasParseError());
  const auto doc = ParseMetricsDoc();
  std::set<std::string> used;
  for (const auto& q : Queries()) {
    const auto names = MetricNames(q.expr);
    EXPECT_FALSE(names.empty()) << q.where << ": no metric in " << q.expr;
    for (const auto& n : names) {
      EXPECT_TRUE(doc.Knows(n)) << q.where << ": " << n << " is not in docs/metrics.md (" << q.expr << ")";
      used.insert(n);
    }
  }
  // What operators ask (issue 8): throughput, lag, dead letters, latency, dedupe, languages, tags, version.
  for (const char* m :
       {"ingestd_records_in_total", "ingestd_records_out_total", "ingestd_kafka_consumer_lag_records",
        "ingestd_kafka_partition_lag_records", "ingestd_dead_letters_total", "ingestd_stage_seconds_bucket",
        "ingestd_end_to_end_latency_seconds_bucket", "ingestd_dedupe_index_entries", "ingestd_dedupe_verdicts_total",
        "ingestd_language_articles_total", "ingestd_tagging_tags_total", "ingestd_build_info"}) {
    EXPECT_TRUE(used.count(m)) << "the dashboard shows nothing from " << m;
  }
}

std::string RunPromtool(const std::string& args) {
  const std::string cmd = "promtool " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : out;
}

// Each query becomes a recording rule, so Prometheus' own parser checks it.
TEST_F(DashboardTest, EveryQueryIsValidPromql) {
  ASSERT_FALSE(doc_.HasParseError());
  const auto path =
      std::filesystem::temp_directory_path() / ("ingestd_dashboard_rules_" + std::to_string(::getpid()) + ".yaml");
  {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "dashboard" << YAML::Key << "rules" << YAML::Value
        << YAML::BeginSeq;
    int i = 0;
    for (const auto& q : Queries()) {
      out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "dashboard:query_" + std::to_string(i++)
          << YAML::Key << "expr" << YAML::Value << Concrete(q.expr) << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    std::ofstream(path) << out.c_str() << "\n";
  }
  const std::string error = RunPromtool("check rules " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(error, "");
}

TEST(AlertRulesTest, NameOnlyDocumentedMetricsAndAreListedInTheDoc) {
  const auto doc = ParseMetricsDoc();
  const std::string metrics_md = ReadFile(SourceDir() + "/docs/metrics.md");
  const YAML::Node root = YAML::LoadFile(SourceDir() + "/helm/ingestd/files/alerts.yaml");
  ASSERT_TRUE(root["groups"].IsSequence());
  int alerts = 0;
  for (const auto& group : root["groups"]) {
    for (const auto& rule : group["rules"]) {
      const std::string name = rule["alert"] ? rule["alert"].as<std::string>() : rule["record"].as<std::string>();
      for (const auto& n : MetricNames(rule["expr"].as<std::string>())) {
        EXPECT_TRUE(doc.Knows(n)) << name << ": " << n << " is not in docs/metrics.md";
      }
      if (rule["alert"]) {
        ++alerts;
        EXPECT_NE(metrics_md.find("| `" + name + "` |"), std::string::npos) << name << " missing from docs/metrics.md";
        EXPECT_TRUE(rule["labels"]["severity"]) << name;
        EXPECT_TRUE(rule["annotations"]["summary"]) << name;
      }
    }
  }
  EXPECT_GE(alerts, 5);
}

}  // namespace
}  // namespace ingestd
