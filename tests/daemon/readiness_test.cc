#include "daemon/readiness.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(ReadinessTest, ReadyOnlyWhenNoConditionIsHeld) {
  Readiness r;
  EXPECT_TRUE(r.Ready());
  r.Hold("kafka", "joining");
  r.Hold("dedupe_index", "restoring");
  EXPECT_FALSE(r.Ready());
  EXPECT_NE(r.Describe().find("dedupe_index: restoring"), std::string::npos);
  r.Release("kafka");
  EXPECT_FALSE(r.Ready());
  r.Release("dedupe_index");
  EXPECT_TRUE(r.Ready());
  EXPECT_EQ(r.Describe(), "");
}

TEST(ReadinessTest, FatalIsNeverReleased) {
  Readiness r;
  r.MarkFatal("producer fenced");
  r.Release("fatal");
  r.Release("kafka");
  EXPECT_TRUE(r.Fatal());
  EXPECT_FALSE(r.Ready());
}

}  // namespace
}  // namespace ingestd
