// daemon/logging: formats, levels and the per-record warning rate limit.
#include "daemon/logging.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <sstream>
#include <thread>

namespace ingestd {
namespace {

using std::chrono::seconds;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUpWith(const std::string& level, const std::string& format) {
    LoggingConfig config;
    config.level = level;
    config.format = format;
    SetUpLogging(config, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  // Later tests must not write into this test's stream.
  void TearDown() override {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr)));
  }

  std::ostringstream out_;
};

TEST_F(LoggingTest, JsonFormatWritesOneParsableObjectPerLineWithFields) {
  SetUpWith("info", "json");
  Log(spdlog::level::info, "listening", {{"address", "127.0.0.1"}, LogField::Int("port", 9464)});
  Log(spdlog::level::warn, "second");
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 2u) << out_.str();

  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  ASSERT_FALSE(d.HasParseError()) << lines[0];
  EXPECT_STREQ(d["level"].GetString(), "info");
  EXPECT_STREQ(d["msg"].GetString(), "listening");
  EXPECT_STREQ(d["logger"].GetString(), "ingestd");
  EXPECT_STREQ(d["address"].GetString(), "127.0.0.1");
  ASSERT_TRUE(d["port"].IsInt());
  EXPECT_EQ(d["port"].GetInt(), 9464);
  EXPECT_TRUE(d["thread"].IsUint64());
  const std::string ts = d["time"].GetString();
  EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-11-21T05:00:00.123Z
  EXPECT_EQ(ts.back(), 'Z');

  d.Parse(lines[1].c_str());
  ASSERT_FALSE(d.HasParseError()) << lines[1];
  EXPECT_STREQ(d["level"].GetString(), "warn");
  EXPECT_FALSE(d.HasMember("address"));  // fields belong to their own line only
}

TEST_F(LoggingTest, JsonFormatEscapesControlCharactersAndRepairsInvalidUtf8) {
  SetUpWith("info", "json");
  Log(spdlog::level::warn, "quote \" backslash \\ newline \n tab \t bell \x07 bad \xC3\x28 ok \xC3\xA9",
      {{"reason", "bad\xFFvalue"}});
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 1u) << out_.str();  // the newline stayed escaped
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(lines[0].c_str());
  ASSERT_FALSE(d.HasParseError()) << lines[0];
  EXPECT_EQ(std::string(d["msg"].GetString()),
            "quote \" backslash \\ newline \n tab \t bell \x07 bad \xEF\xBF\xBD( ok \xC3\xA9");
  EXPECT_EQ(std::string(d["reason"].GetString()), "bad\xEF\xBF\xBDvalue");
}

TEST_F(LoggingTest, TextFormatAppendsFieldsAsKeyValueAndQuotesWhenNeeded) {
  SetUpWith("info", "text");
  Log(spdlog::level::info, "listening", {{"port", "9464"}, {"path", "/a b"}});
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" info ingestd: listening port=9464 path=\"/a b\""), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("20"), 0u) << lines[0];  // starts with the UTC timestamp
}

TEST(JsonEscapeTest, EscapesWithoutQuotes) { EXPECT_EQ(JsonEscape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

TEST_F(LoggingTest, LevelFromConfigDropsLowerLevels) {
  SetUpWith("warn", "json");
  Log(spdlog::level::info, "hidden");
  Log(spdlog::level::debug, "hidden too");
  Log(spdlog::level::err, "shown");
  spdlog::warn("plain spdlog calls use the same logger");
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 2u) << out_.str();
  EXPECT_NE(lines[0].find("\"level\":\"error\""), std::string::npos);
  EXPECT_NE(lines[1].find("plain spdlog calls"), std::string::npos);
}

TEST_F(LoggingTest, RecordWarningsLogsABurstThenCountsAndReportsSuppressed) {
  SetUpWith("info", "json");
  ManualClock clock;
  RecordWarnings warnings(clock, /*burst=*/3, seconds(10));
  int logged = 0;
  for (int i = 0; i < 100; ++i) logged += warnings.Warn("normalize/empty_text", "dead letter") ? 1 : 0;
  EXPECT_EQ(logged, 3);
  EXPECT_EQ(warnings.Suppressed("normalize/empty_text"), 97u);
  EXPECT_EQ(Lines(out_.str()).size(), 3u);

  clock.Advance(seconds(10));
  EXPECT_TRUE(warnings.Warn("normalize/empty_text", "dead letter", {{"partition", "3"}}));
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 4u);
  rapidjson::Document d;
  d.Parse(lines[3].c_str());
  ASSERT_FALSE(d.HasParseError()) << lines[3];
  EXPECT_EQ(d["suppressed"].GetInt(), 97);
  EXPECT_STREQ(d["key"].GetString(), "normalize/empty_text");
  EXPECT_STREQ(d["partition"].GetString(), "3");
  EXPECT_EQ(warnings.Suppressed("normalize/empty_text"), 0u);
}

TEST_F(LoggingTest, RecordWarningsKeepsSeparateBudgetsPerKey) {
  SetUpWith("info", "json");
  ManualClock clock;
  RecordWarnings warnings(clock, /*burst=*/1, seconds(10));
  EXPECT_TRUE(warnings.Warn("parse/invalid_json", "a"));
  EXPECT_FALSE(warnings.Warn("parse/invalid_json", "a"));
  EXPECT_TRUE(warnings.Warn("dedupe/internal_error", "b"));
}

TEST_F(LoggingTest, ReportSuppressedSummarisesPendingCountsOnce) {
  SetUpWith("info", "json");
  ManualClock clock;
  RecordWarnings warnings(clock, /*burst=*/1, seconds(10));
  for (int i = 0; i < 5; ++i) (void)warnings.Warn("parse/too_large", "x");
  (void)warnings.Warn("parse/invalid_json", "y");  // nothing suppressed for this key
  out_.str("");
  EXPECT_EQ(warnings.ReportSuppressed(), 1);
  const auto lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"key\":\"parse/too_large\",\"suppressed\":4"), std::string::npos) << lines[0];
  EXPECT_EQ(warnings.ReportSuppressed(), 0);
}

TEST_F(LoggingTest, RecordWarningsCapsDistinctKeys) {
  SetUpWith("off", "json");
  ManualClock clock;
  RecordWarnings warnings(clock, /*burst=*/1, seconds(10));
  for (size_t i = 0; i < RecordWarnings::kMaxKeys + 50; ++i) (void)warnings.Warn(std::to_string(i) + "/k", "m");
  // Past the cap, new keys share the "other" bucket: its one-line budget is spent.
  EXPECT_EQ(warnings.Suppressed("other"), 49u);
}

TEST_F(LoggingTest, RecordWarningsCountsEveryCallUnderConcurrency) {
  SetUpWith("off", "json");
  ManualClock clock;
  RecordWarnings warnings(clock, /*burst=*/7, seconds(10));
  std::atomic<int> logged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) logged += warnings.Warn("tagging/internal_error", "m") ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(logged.load(), 7);
  EXPECT_EQ(warnings.Suppressed("tagging/internal_error"), 4000u - 7u);
}

}  // namespace
}  // namespace ingestd
