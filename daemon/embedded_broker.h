// A Kafka broker in this process: librdkafka's mock cluster, for local development
// (`ingestd embedded-broker`, `ingestd run --embedded-kafka`) and tests. It speaks
// the Kafka protocol to any client (kcat, other processes) on 127.0.0.1 ports.
//
// Mock cluster limits worth knowing: it keeps only a few MiB per partition (fine when
// producers and consumers run together), a group's first join takes ~3 s, and there
// are no transactions or static group membership.
//
// Threading: the cluster runs on librdkafka's own thread; the methods below may be
// called from any thread.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

namespace ingestd {

class EmbeddedBroker {
 public:
  // Throws std::runtime_error when the cluster cannot start.
  EmbeddedBroker(int brokers, int partitions, const std::vector<std::string>& topics);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }

  // Test hooks, one command a line (see docs/runtime.md):
  //   errors API_KEY ERROR_CODE COUNT   next COUNT requests of API_KEY fail with ERROR_CODE
  //   clear API_KEY                     forgets the errors still queued for API_KEY
  //   down BROKER_ID | up BROKER_ID     a broker stops / starts answering
  //   rtt BROKER_ID MS                  adds round-trip time
  //   topic NAME [PARTITIONS]           creates a topic
  //   leader TOPIC PARTITION BROKER_ID  moves the partition's leadership (-1: no leader)
  //   coordinator group|transaction KEY BROKER_ID
  //                                     the coordinator of that group / transactional id
  // Returns "ok" or "error: ...".
  std::string Command(const std::string& line);

 private:
  rd_kafka_t* handle_ = nullptr;  // owns the cluster; never used to produce
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  int partitions_;
};

}  // namespace ingestd
