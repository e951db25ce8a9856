// librdkafka properties for ingestd's consumer and producer: ingestd's defaults,
// then the `kafka.consumer` / `kafka.producer` maps passed through as they are
// (TLS, SASL, fetch sizes...), then the few keys ingestd owns because its delivery
// guarantee depends on them. Setting an owned key in the maps fails start-up.
//
// Secrets (keys naming a password, secret, token, sasl.jaas, ssl.key,
// oauthbearer.config, a credential or something private) are never logged:
// Redacted() replaces their values; GET /config uses the same test.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.h"

namespace ingestd {

using KafkaProperties = std::map<std::string, std::string>;

class KafkaConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[nodiscard]] KafkaProperties ConsumerProperties(const KafkaConfig& config);
[[nodiscard]] KafkaProperties ProducerProperties(const KafkaConfig& config);
// The dedupe index log's clients (daemon/dedupe_log_kafka.h): the same maps under
// their own client id; the consumer reads every partition by assign() (never a group
// member) with a group id of its own.
[[nodiscard]] KafkaProperties DedupeIndexProducerProperties(const KafkaConfig& config);
[[nodiscard]] KafkaProperties DedupeIndexConsumerProperties(const KafkaConfig& config);

// Throws KafkaConfigError("kafka.brokers: not set ...") when kafka.brokers is empty.
void RequireBrokers(const KafkaConfig& config);

[[nodiscard]] bool IsSecretProperty(std::string_view key);
// "key=value, ..." with secret values replaced by "[redacted]".
[[nodiscard]] std::string Redacted(const KafkaProperties& properties);

// A new rd_kafka_conf_t holding `properties`; throws KafkaConfigError naming the
// config path (`section`.key) librdkafka rejected.
[[nodiscard]] rd_kafka_conf_t* MakeKafkaConf(const KafkaProperties& properties, const std::string& section);

}  // namespace ingestd
