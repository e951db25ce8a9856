#include "daemon/kafka_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ingestd {
namespace {

Config WithBound(int64_t max_inflight_bytes) {
  Config c;
  c.kafka.brokers = "127.0.0.1:9092";
  c.runtime.max_inflight_bytes = max_inflight_bytes;
  return c;
}

TEST(InputConsumerPropertiesTest, TiesLibrdkafkasPrefetchToAQuarterOfTheInflightBound) {
  std::vector<std::string> warnings;
  EXPECT_EQ(InputConsumerProperties(WithBound(256 << 20), &warnings).at("queued.max.messages.kbytes"), "65536");
  EXPECT_EQ(InputConsumerProperties(WithBound(1 << 20), &warnings).at("queued.max.messages.kbytes"), "256");
  EXPECT_TRUE(warnings.empty());
  // The ingestd defaults and owned keys are still there.
  EXPECT_EQ(InputConsumerProperties(WithBound(1 << 20), &warnings).at("enable.auto.offset.store"), "false");
}

TEST(InputConsumerPropertiesTest, KeepsTheUsersPrefetchAndWarnsWhenItExceedsTheBound) {
  Config c = WithBound(64 << 20);
  c.kafka.consumer["queued.max.messages.kbytes"] = "16384";  // 16 MiB: within the bound
  std::vector<std::string> warnings;
  EXPECT_EQ(InputConsumerProperties(c, &warnings).at("queued.max.messages.kbytes"), "16384");
  EXPECT_TRUE(warnings.empty());

  c.kafka.consumer["queued.max.messages.kbytes"] = "131072";  // 128 MiB > 64 MiB
  EXPECT_EQ(InputConsumerProperties(c, &warnings).at("queued.max.messages.kbytes"), "131072");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("kafka.consumer.queued.max.messages.kbytes"), std::string::npos);
  EXPECT_NE(warnings[0].find("runtime.max_inflight_bytes"), std::string::npos);
}

}  // namespace
}  // namespace ingestd
