#include "daemon/embedded_broker.h"

#include <sstream>
#include <stdexcept>

namespace ingestd {

EmbeddedBroker::EmbeddedBroker(int brokers, int partitions, const std::vector<std::string>& topics)
    : partitions_(partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "client.id", "ingestd-embedded-broker", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!handle_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("embedded broker: ") + err);
  }
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (!cluster_) {
    rd_kafka_destroy(handle_);
    throw std::runtime_error("embedded broker: cannot start the mock cluster");
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  for (const auto& t : topics) {
    if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster_, t.c_str(), partitions, 1); e) {
      throw std::runtime_error("embedded broker: topic " + t + ": " + rd_kafka_err2str(e));
    }
  }
}

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

std::string EmbeddedBroker::Command(const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (verb == "errors") {
    int api = -1, code = 0, count = 0;
    if (!(in >> api >> code >> count) || count < 0) return "error: usage: errors API_KEY ERROR_CODE COUNT";
    for (int i = 0; i < count; ++i) {
      rd_kafka_mock_push_request_errors(cluster_, static_cast<int16_t>(api), 1, static_cast<rd_kafka_resp_err_t>(code));
    }
  } else if (verb == "clear") {
    int api = -1;
    if (!(in >> api)) return "error: usage: clear API_KEY";
    rd_kafka_mock_clear_request_errors(cluster_, static_cast<int16_t>(api));
  } else if (verb == "down" || verb == "up") {
    int id = -1;
    if (!(in >> id)) return "error: usage: " + verb + " BROKER_ID";
    e = verb == "down" ? rd_kafka_mock_broker_set_down(cluster_, id) : rd_kafka_mock_broker_set_up(cluster_, id);
  } else if (verb == "rtt") {
    int id = -1, ms = 0;
    if (!(in >> id >> ms)) return "error: usage: rtt BROKER_ID MS";
    e = rd_kafka_mock_broker_set_rtt(cluster_, id, ms);
  } else if (verb == "topic") {
    std::string name;
    int partitions = partitions_;
    if (!(in >> name)) return "error: usage: topic NAME [PARTITIONS]";
    in >> partitions;
    e = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  } else if (verb == "leader") {
    std::string topic;
    int partition = -1, id = -1;
    if (!(in >> topic >> partition >> id)) return "error: usage: leader TOPIC PARTITION BROKER_ID";
    e = rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, id);
  } else if (verb == "coordinator") {
    std::string type, key;
    int id = -1;
    if (!(in >> type >> key >> id) || (type != "group" && type != "transaction")) {
      return "error: usage: coordinator group|transaction KEY BROKER_ID";
    }
    e = rd_kafka_mock_coordinator_set(cluster_, type.c_str(), key.c_str(), id);
  } else {
    return "error: unknown command \"" + verb + "\" (errors, clear, down, up, rtt, topic, leader, coordinator)";
  }
  if (e) return std::string("error: ") + rd_kafka_err2str(e);
  return "ok";
}

}  // namespace ingestd
