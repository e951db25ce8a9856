#include "daemon/kafka_properties.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

KafkaConfig Base() {
  KafkaConfig k;
  k.brokers = "b1:9092";
  k.group_id = "g";
  return k;
}

TEST(KafkaPropertiesTest, PassesUserPropertiesThroughAndSetsTheOwnedOnes) {
  KafkaConfig k = Base();
  k.consumer["security.protocol"] = "SASL_SSL";
  k.consumer["fetch.max.bytes"] = "1048576";
  k.consumer["partition.assignment.strategy"] = "range";
  const KafkaProperties p = ConsumerProperties(k);
  EXPECT_EQ(p.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(p.at("fetch.max.bytes"), "1048576");
  EXPECT_EQ(p.at("partition.assignment.strategy"), "range");  // the default yields to the user
  EXPECT_EQ(p.at("bootstrap.servers"), "b1:9092");
  EXPECT_EQ(p.at("group.id"), "g");
  EXPECT_EQ(p.at("enable.auto.offset.store"), "false");
  EXPECT_EQ(p.at("enable.auto.commit"), "false");
  EXPECT_EQ(ProducerProperties(k).at("enable.idempotence"), "true");
}

TEST(KafkaPropertiesTest, DefaultsToCooperativeStickyFromTheEarliestOffset) {
  const KafkaProperties p = ConsumerProperties(Base());
  EXPECT_EQ(p.at("partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(p.at("auto.offset.reset"), "earliest");
}

TEST(KafkaPropertiesTest, RejectsAnOwnedKeyNamingIt) {
  KafkaConfig k = Base();
  k.consumer["enable.auto.commit"] = "true";
  try {
    (void)ConsumerProperties(k);
    FAIL() << "accepted";
  } catch (const KafkaConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kafka.consumer.enable.auto.commit"), std::string::npos) << e.what();
  }
  KafkaConfig p = Base();
  p.producer["enable.idempotence"] = "false";
  EXPECT_THROW((void)ProducerProperties(p), KafkaConfigError);
  KafkaConfig b = Base();
  b.producer["bootstrap.servers"] = "x:1";
  EXPECT_THROW((void)ProducerProperties(b), KafkaConfigError);
}

TEST(KafkaPropertiesTest, RedactsSecrets) {
  const KafkaProperties p{{"sasl.password", "hunter2"},
                          {"sasl.jaas.config", "user pass"},
                          {"ssl.key.password", "k"},
                          {"sasl.oauthbearer.client.secret", "s"},
                          {"sasl.username", "alice"}};
  const std::string text = Redacted(p);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("user pass"), std::string::npos) << text;
  EXPECT_EQ(text.find("=k,"), std::string::npos) << text;
  EXPECT_EQ(text.find("=s"), std::string::npos) << text;
  EXPECT_NE(text.find("sasl.username=alice"), std::string::npos) << text;
  EXPECT_TRUE(IsSecretProperty("SASL.PASSWORD"));
  EXPECT_FALSE(IsSecretProperty("linger.ms"));
  // What GET /config redacts, the start-up log redacts too.
  for (const char* key : {"sasl.oauthbearer.config", "sasl.oauthbearer.client.credentials", "ssl.key.location",
                          "ssl.private.key"}) {
    EXPECT_TRUE(IsSecretProperty(key)) << key;
  }
  EXPECT_EQ(Redacted({{"sasl.oauthbearer.config", "principal=svc scope=x"}, {"linger.ms", "5"}}),
            "linger.ms=5, sasl.oauthbearer.config=[redacted]");
}

TEST(KafkaPropertiesTest, UnknownLibrdkafkaPropertyNamesTheConfigPathWithoutSecrets) {
  try {
    rd_kafka_conf_destroy(MakeKafkaConf({{"no.such.property", "1"}}, "consumer"));
    FAIL() << "accepted";
  } catch (const KafkaConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kafka.consumer.no.such.property"), std::string::npos) << e.what();
  }
  try {
    rd_kafka_conf_destroy(MakeKafkaConf({{"sasl.mechanisms", "PLAIN"}, {"ssl.key.password", "x"}}, "producer"));
  } catch (const KafkaConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("=x"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ingestd
