#include "daemon/embedded_broker.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ingestd {
namespace {

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

// A consumer as any outside client would make it (not a group member: it never subscribes).
Client NewClient(const std::string& bootstrap, const std::string& group) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  EXPECT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err), RD_KAFKA_CONF_OK);
  EXPECT_EQ(rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err), RD_KAFKA_CONF_OK);
  EXPECT_EQ(rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err), RD_KAFKA_CONF_OK);  // brokers we take down
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  EXPECT_NE(rk, nullptr) << err;
  return Client(rk);
}

// The leader of topic/partition in a metadata answer the client asks for now, or -2.
int32_t LeaderSeenBy(rd_kafka_t* rk, const std::string& topic, int32_t partition) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, 10000);
  rd_kafka_topic_destroy(t);
  int32_t leader = -2;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
    for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
      if (md->topics[0].partitions[i].id == partition) leader = md->topics[0].partitions[i].leader;
    }
  }
  if (md) rd_kafka_metadata_destroy(md);
  return leader;
}

// Asks the group's coordinator for the group's committed offset of t1/0 (OffsetFetch).
rd_kafka_resp_err_t FetchCommitted(rd_kafka_t* rk, int timeout_ms) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, "t1", 0);
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, timeout_ms);
  rd_kafka_topic_partition_list_destroy(list);
  return err;
}

TEST(EmbeddedBrokerTest, GivesABootstrapAddressAndTakesTestCommands) {
  EmbeddedBroker broker(2, 3, {"t1"});
  EXPECT_EQ(broker.bootstrap().rfind("127.0.0.1:", 0), 0u) << broker.bootstrap();
  EXPECT_EQ(broker.Command("errors 0 6 3"), "ok");
  EXPECT_EQ(broker.Command("clear 0"), "ok");
  EXPECT_EQ(broker.Command("down 2"), "ok");
  EXPECT_EQ(broker.Command("up 2"), "ok");
  EXPECT_EQ(broker.Command("rtt 1 5"), "ok");
  EXPECT_EQ(broker.Command("topic t2 2"), "ok");
  EXPECT_EQ(broker.Command("errors 0"), "error: usage: errors API_KEY ERROR_CODE COUNT");
  EXPECT_EQ(broker.Command("explode").rfind("error: unknown command", 0), 0u);
}

TEST(EmbeddedBrokerTest, LeaderMovesAPartitionAsClientsSeeIt) {
  EmbeddedBroker broker(2, 2, {"t1"});
  Client client = NewClient(broker.bootstrap(), "observer");
  EXPECT_EQ(broker.Command("leader t1 0 2"), "ok");
  EXPECT_EQ(broker.Command("leader t1 1 1"), "ok");
  EXPECT_EQ(LeaderSeenBy(client.get(), "t1", 0), 2);
  EXPECT_EQ(LeaderSeenBy(client.get(), "t1", 1), 1);
  EXPECT_EQ(broker.Command("leader t1 0 1"), "ok");
  EXPECT_EQ(LeaderSeenBy(client.get(), "t1", 0), 1);

  EXPECT_EQ(broker.Command("leader t1 0 9"), "error: Broker: Broker not available");
  EXPECT_EQ(broker.Command("leader t1 5 1"), "error: Broker: Unknown topic or partition");
  EXPECT_EQ(broker.Command("leader t1 0"), "error: usage: leader TOPIC PARTITION BROKER_ID");
  EXPECT_EQ(LeaderSeenBy(client.get(), "t1", 0), 1);  // a refused command changed nothing
}

TEST(EmbeddedBrokerTest, CoordinatorMovesAGroupAsClientsSeeIt) {
  EmbeddedBroker broker(2, 1, {"t1"});
  EXPECT_EQ(broker.Command("coordinator group on-two 2"), "ok");
  EXPECT_EQ(broker.Command("coordinator group on-one 1"), "ok");
  EXPECT_EQ(broker.Command("down 1"), "ok");
  // Broker 2 answers for its group; the group coordinated by the broker that is down gets no answer.
  EXPECT_EQ(FetchCommitted(NewClient(broker.bootstrap(), "on-two").get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(FetchCommitted(NewClient(broker.bootstrap(), "on-one").get(), 1500), RD_KAFKA_RESP_ERR__TIMED_OUT);
  // Swapped, so the outcome cannot come from the default placement (a hash of the key).
  EXPECT_EQ(broker.Command("coordinator group on-two 1"), "ok");
  EXPECT_EQ(broker.Command("coordinator group on-one 2"), "ok");
  EXPECT_EQ(FetchCommitted(NewClient(broker.bootstrap(), "on-one").get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(FetchCommitted(NewClient(broker.bootstrap(), "on-two").get(), 1500), RD_KAFKA_RESP_ERR__TIMED_OUT);
  EXPECT_EQ(broker.Command("coordinator transaction tx-1 2"), "ok");

  EXPECT_EQ(broker.Command("coordinator shard on-two 1"), "error: usage: coordinator group|transaction KEY BROKER_ID");
  EXPECT_EQ(broker.Command("coordinator group on-two"), "error: usage: coordinator group|transaction KEY BROKER_ID");
}

}  // namespace
}  // namespace ingestd
