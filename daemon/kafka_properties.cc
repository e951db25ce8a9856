#include "daemon/kafka_properties.h"

#include <algorithm>
#include <cctype>

namespace ingestd {
namespace {

void Own(KafkaProperties& props, const KafkaProperties& user, const std::string& section, const std::string& key,
         const std::string& value, const std::string& why) {
  if (user.count(key) && user.at(key) != value) {
    throw KafkaConfigError("kafka." + section + "." + key + ": set by ingestd to \"" + value + "\" (" + why +
                           "); remove it");
  }
  props[key] = value;
}

}  // namespace

KafkaProperties ConsumerProperties(const KafkaConfig& config) {
  KafkaProperties props{
      {"client.id", "ingestd"},
      {"auto.offset.reset", "earliest"},  // a new group reads what the scrapers already wrote
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.partition.eof", "false"},
  };
  if (config.consumer.count("bootstrap.servers")) {
    throw KafkaConfigError("kafka.consumer.bootstrap.servers: use kafka.brokers");
  }
  for (const auto& [k, v] : config.consumer) props[k] = v;
  props["bootstrap.servers"] = config.brokers;
  Own(props, config.consumer, "consumer", "group.id", config.group_id, "use kafka.group_id");
  Own(props, config.consumer, "consumer", "enable.auto.offset.store", "false",
      "offsets are stored only after every output of a record is acknowledged");
  Own(props, config.consumer, "consumer", "enable.auto.commit", "false",
      "the runtime commits stored offsets itself and counts uncommitted records as in flight");
  return props;
}

KafkaProperties ProducerProperties(const KafkaConfig& config) {
  KafkaProperties props{
      {"client.id", "ingestd"},
      {"linger.ms", "5"},
  };
  if (config.producer.count("bootstrap.servers")) {
    throw KafkaConfigError("kafka.producer.bootstrap.servers: use kafka.brokers");
  }
  for (const auto& [k, v] : config.producer) props[k] = v;
  props["bootstrap.servers"] = config.brokers;
  Own(props, config.producer, "producer", "enable.idempotence", "true",
      "no duplicates or reordering from producer retries");
  return props;
}

KafkaProperties DedupeIndexProducerProperties(const KafkaConfig& config) {
  KafkaProperties props = ProducerProperties(config);
  props["client.id"] = "ingestd-dedupe-index";
  return props;
}

KafkaProperties DedupeIndexConsumerProperties(const KafkaConfig& config) {
  KafkaProperties props = ConsumerProperties(config);
  // Only keeps librdkafka content: distinct from the input group's, never joined.
  props["group.id"] = config.group_id + ".dedupe-index";
  props["client.id"] = "ingestd-dedupe-index";
  props["enable.partition.eof"] = "true";
  props["fetch.wait.max.ms"] = "20";  // the replication window is mostly this wait
  props["auto.offset.reset"] = "earliest";
  return props;
}

void RequireBrokers(const KafkaConfig& config) {
  if (config.brokers.empty()) throw KafkaConfigError("kafka.brokers: not set (host:port,...)");
}

bool IsSecretProperty(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  // The start-up log, error messages and GET /config (effective_config.cc) all ask here.
  for (const char* word : {"password", "secret", "token", "sasl.jaas", "ssl.key", "ssl_key", "oauthbearer.config",
                           "credential", "private"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string Redacted(const KafkaProperties& properties) {
  std::string out;
  for (const auto& [k, v] : properties) {
    if (!out.empty()) out += ", ";
    out += k + "=" + (IsSecretProperty(k) ? std::string("[redacted]") : v);
  }
  return out;
}

rd_kafka_conf_t* MakeKafkaConf(const KafkaProperties& properties, const std::string& section) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : properties) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // librdkafka's message may quote the value: keep secrets out of it.
      throw KafkaConfigError("kafka." + section + "." + k + ": " +
                             (IsSecretProperty(k) ? std::string("invalid value") : std::string(err)));
    }
  }
  return conf;
}

}  // namespace ingestd
