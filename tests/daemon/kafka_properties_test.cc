#include "daemon/kafka_properties.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

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
  for (const char* key :
       {"sasl.oauthbearer.config", "sasl.oauthbearer.client.credentials", "ssl.key.location", "ssl.private.key"}) {
    EXPECT_TRUE(IsSecretProperty(key)) << key;
  }
  EXPECT_EQ(Redacted({{"sasl.oauthbearer.config", "principal=svc scope=x"}, {"linger.ms", "5"}}),
            "linger.ms=5, sasl.oauthbearer.config=[redacted]");
}

std::string BuiltinFeatures() {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char features[512] = "";
  size_t size = sizeof features;
  EXPECT_EQ(rd_kafka_conf_get(conf, "builtin.features", features, &size), RD_KAFKA_CONF_OK);
  rd_kafka_conf_destroy(conf);
  return features;
}

// The message of a refused property; empty when librdkafka accepted it.
std::string RefusalOf(const KafkaProperties& properties, const std::string& section) {
  try {
    rd_kafka_conf_destroy(MakeKafkaConf(properties, section));
  } catch (const KafkaConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(KafkaPropertiesTest, UnknownLibrdkafkaPropertyNamesTheConfigPath) {
  const std::string e = RefusalOf({{"no.such.property", "1"}}, "consumer");
  EXPECT_NE(e.find("kafka.consumer.no.such.property"), std::string::npos) << e;
}

TEST(KafkaPropertiesTest, RefusedSecretIsNamedButItsValueIsNotQuoted) {
  // ssl_key is librdkafka's internal property (set through rd_kafka_conf_set_ssl_cert):
  // every build refuses it by name, and its name makes it a secret here.
  ASSERT_TRUE(IsSecretProperty("ssl_key"));
  EXPECT_EQ(RefusalOf({{"ssl_key", "hunter2"}}, "producer"), "kafka.producer.ssl_key: invalid value");
  // A property that is not secret keeps librdkafka's own message, value included.
  const std::string plain = RefusalOf({{"security.protocol", "bogus"}}, "producer");
  EXPECT_NE(plain.find("kafka.producer.security.protocol: "), std::string::npos) << plain;
  EXPECT_NE(plain.find("\"bogus\""), std::string::npos) << plain;
}

TEST(KafkaPropertiesTest, SslSecretsAreAcceptedWhenTheBuildHasSsl) {
  // What happens depends on how librdkafka was built (Debian's has SSL and SASL): with
  // SSL the key password is a property like any other; without, it is refused by name
  // and its value stays out of the message.
  const KafkaProperties properties{{"sasl.mechanisms", "PLAIN"}, {"ssl.key.password", "hunter2"}};
  const std::string features = BuiltinFeatures();
  const std::string refusal = RefusalOf(properties, "producer");
  if (("," + features + ",").find(",ssl,") != std::string::npos) {
    EXPECT_EQ(refusal, "") << "builtin.features: " << features;
  } else {
    EXPECT_EQ(refusal, "kafka.producer.ssl.key.password: invalid value") << "builtin.features: " << features;
  }
}

}  // namespace
}  // namespace ingestd
