// daemon/tap: the ring of recent outputs behind GET /tap.
#include "daemon/tap.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <thread>

namespace ingestd {
namespace {

Processed Enriched(int i) {
  Processed p;
  p.output = Output::kEnriched;
  p.key = "id-" + std::to_string(i);
  p.value = "{\"id\":\"id-" + std::to_string(i) + "\"}";
  return p;
}

TEST(TapTest, OffByDefaultKeepsNothing) {
  Tap tap(false);
  tap.Record(Enriched(1));
  EXPECT_TRUE(tap.Last(10).empty());
}

TEST(TapTest, KeepsTheLastNOldestFirstAsJsonLines) {
  Tap tap(true, /*capacity=*/5);
  for (int i = 0; i < 8; ++i) tap.Record(Enriched(i));
  const auto lines = tap.Last(3);
  ASSERT_EQ(lines.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    rapidjson::Document d;
    d.Parse(lines[i].c_str());
    ASSERT_FALSE(d.HasParseError()) << lines[i];
    EXPECT_STREQ(d["output"].GetString(), "enriched");
    EXPECT_EQ(std::string(d["key"].GetString()), "id-" + std::to_string(5 + i));
    EXPECT_EQ(std::string(d["event"]["id"].GetString()), "id-" + std::to_string(5 + i));
  }
  EXPECT_EQ(tap.Last(100).size(), 5u);  // never more than the capacity
}

TEST(TapTest, DeadLettersShowStageAndReasonNotTheirBytes) {
  Tap tap(true);
  Processed p;
  p.output = Output::kDeadLetter;
  p.dead_letter = {"parse", "invalid_json", "expected \"value\" at byte 3"};
  tap.Record(p);
  const auto lines = tap.Last(1);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  ASSERT_FALSE(d.HasParseError()) << lines[0];
  EXPECT_STREQ(d["output"].GetString(), "dead_letter");
  EXPECT_STREQ(d["stage"].GetString(), "parse");
  EXPECT_STREQ(d["reason"].GetString(), "invalid_json");
  EXPECT_STREQ(d["message"].GetString(), "expected \"value\" at byte 3");
}

TEST(TapTest, ConcurrentWritersKeepTheRingBounded) {
  Tap tap(true, 50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tap] {
      for (int i = 0; i < 500; ++i) tap.Record(Enriched(i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(tap.Last(1000).size(), 50u);
}

TEST(TapCountTest, ReadsNFromTheQuery) {
  EXPECT_EQ(TapCount(""), 10u);
  EXPECT_EQ(TapCount("n=3"), 3u);
  EXPECT_EQ(TapCount("x=1&n=25"), 25u);
  EXPECT_EQ(TapCount("n=abc"), 0u);
  EXPECT_EQ(TapCount("n="), 0u);
  EXPECT_EQ(TapCount("n=-1"), 0u);
}

}  // namespace
}  // namespace ingestd
