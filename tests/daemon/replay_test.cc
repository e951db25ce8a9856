// Replay over the project's fixtures: every input line lands in exactly one output.
#include "daemon/replay.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "stages/registry.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ReadLines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = ingestd::testing::SourceDir();
    dir_ = fs::temp_directory_path() / ("ingestd_replay_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ReplaySummary Replay(const fs::path& input, bool with_dup_file) {
    auto config = LoadConfig((source_ / "config/local.yaml").string());
    prometheus::Registry registry;
    SystemClock clock;
    PipelineProbe probe(registry);
    Processor processor(config, BuildStages(*config, StageContext{&registry, &clock}), probe);
    ReplayOptions o;
    o.input = input.string();
    o.output = (dir_ / "out.jsonl").string();
    if (with_dup_file) o.duplicates = (dir_ / "dup.jsonl").string();
    o.dead_letters = (dir_ / "dlq.jsonl").string();
    o.progress = false;
    std::ostringstream log;
    ReplaySummary s = RunReplay(processor, o, log);
    log_ = log.str();
    return s;
  }

  fs::path source_;
  fs::path dir_;
  std::string log_;
};

TEST_F(ReplayTest, EveryFixtureLineLandsInExactlyOneOutput) {
  // Fixtures plus a 10 MB text, which is over the 4 MiB default limit.
  const fs::path input = dir_ / "in.jsonl";
  {
    std::ofstream out(input, std::ios::binary);
    for (const char* f : {"articles.jsonl", "bad.jsonl"}) {
      std::ifstream in(source_ / "tests/fixtures/replay" / f, std::ios::binary);
      out << in.rdbuf();
    }
    out << R"({"url":"https://big.example/1","text":")" << std::string(10 << 20, 'a') << "\"}\n";
  }
  const size_t input_lines = ReadLines(input).size();
  const ReplaySummary s = Replay(input, true);
  const auto out = ReadLines(dir_ / "out.jsonl");
  const auto dup = ReadLines(dir_ / "dup.jsonl");
  const auto dlq = ReadLines(dir_ / "dlq.jsonl");

  EXPECT_EQ(static_cast<size_t>(s.records), input_lines);
  EXPECT_EQ(out.size() + dup.size() + dlq.size(), input_lines);
  EXPECT_EQ(static_cast<size_t>(s.enriched), out.size());
  EXPECT_EQ(static_cast<size_t>(s.dead_letters), dlq.size());

  std::set<int64_t> dead_lines;
  std::set<std::string> reasons;
  for (const auto& l : dlq) {
    rapidjson::Document d;
    d.Parse(l.c_str(), l.size());
    ASSERT_FALSE(d.HasParseError()) << l.substr(0, 200);
    ASSERT_TRUE(d.HasMember("stage") && d.HasMember("reason") && d.HasMember("message") && d.HasMember("line"));
    EXPECT_GT(std::string(d["message"].GetString()).size(), 0u);
    EXPECT_TRUE(d.HasMember("raw") || d.HasMember("raw_base64"));
    EXPECT_TRUE(dead_lines.insert(d["line"].GetInt64()).second) << "line dead-lettered twice";
    reasons.insert(d["reason"].GetString());
  }
  for (const char* r : {"invalid_json", "truncated_json", "not_an_object", "missing_field", "empty_body", "wrong_type",
                        "too_deep", "too_large", "binary"}) {
    EXPECT_TRUE(reasons.count(r)) << "no dead letter with reason " << r;
  }
  for (const auto& l : out) {
    rapidjson::Document d;
    d.Parse(l.c_str(), l.size());
    ASSERT_FALSE(d.HasParseError());
    EXPECT_STREQ(d["schema"].GetString(), "ingestd.article.v1");
  }
  EXPECT_NE(log_.find("replay: done: " + std::to_string(input_lines) + " records"), std::string::npos) << log_;
}

TEST_F(ReplayTest, WithoutDuplicatesFileEverythingButDeadLettersGoesToOutput) {
  // The fixture articles, a copy of the first one at another URL (a duplicate) and the
  // bad lines (dead letters).
  const fs::path input = dir_ / "in.jsonl";
  const auto articles = ReadLines(source_ / "tests/fixtures/replay/articles.jsonl");
  const auto bad = ReadLines(source_ / "tests/fixtures/replay/bad.jsonl");
  ASSERT_FALSE(articles.empty());
  rapidjson::Document first;
  first.Parse(articles[0].c_str(), articles[0].size());
  ASSERT_FALSE(first.HasParseError());
  const std::string original_id = first["id"].GetString();
  std::string copy = articles[0];
  for (const std::string& field : {std::string("\"id\": \""), std::string("\"url\": \"https://")}) {
    const size_t at = copy.find(field);
    ASSERT_NE(at, std::string::npos) << field;
    copy.insert(at + field.size(), "copy-");
  }
  {
    std::ofstream out(input, std::ios::binary);
    for (const auto& l : articles) out << l << "\n";
    out << copy << "\n";
    for (const auto& l : bad) out << l << "\n";
  }
  const size_t input_lines = articles.size() + 1 + bad.size();

  const ReplaySummary s = Replay(input, false);
  EXPECT_EQ(s.records, static_cast<int64_t>(input_lines));
  EXPECT_GT(s.duplicates, 0);
  EXPECT_GT(s.dead_letters, 0);
  EXPECT_FALSE(fs::exists(dir_ / "dup.jsonl"));
  const auto out = ReadLines(dir_ / "out.jsonl");
  const auto dlq = ReadLines(dir_ / "dlq.jsonl");
  EXPECT_EQ(out.size(), static_cast<size_t>(s.enriched + s.duplicates));
  EXPECT_EQ(dlq.size(), static_cast<size_t>(s.dead_letters));
  EXPECT_EQ(out.size() + dlq.size(), input_lines);

  // The duplicates are in the output, marked as such; the copy points at its original.
  int64_t marked = 0;
  bool copy_seen = false;
  for (const auto& l : out) {
    rapidjson::Document d;
    d.Parse(l.c_str(), l.size());
    ASSERT_FALSE(d.HasParseError()) << l.substr(0, 200);
    ASSERT_TRUE(d.HasMember("dedupe")) << l.substr(0, 200);
    if (std::string(d["dedupe"]["status"].GetString()) == "unique") continue;
    ++marked;
    if (std::string(d["id"].GetString()) == "copy-" + original_id) {
      copy_seen = true;
      EXPECT_STREQ(d["dedupe"]["duplicate_of"].GetString(), original_id.c_str());
    }
  }
  EXPECT_EQ(marked, s.duplicates);
  EXPECT_TRUE(copy_seen) << "the copy of " << original_id << " is not among the duplicates in the output";
}

}  // namespace
}  // namespace ingestd
