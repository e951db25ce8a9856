// How long an index entry takes to cross from one replica to another through the
// shared compacted topic: the window in which two replicas both judge a pair as new
// (daemon/dedupe_log_kafka.h). Against the embedded broker, with a reference measured
// in the same run: one record produced and consumed by plain librdkafka clients with
// the same settings (linger.ms 1, fetch.wait.max.ms 20), so the figure reads as
// "the broker round trip, plus what ingestd adds".
//
//   build/bench/dedupe_replication [--entries N]
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "daemon/embedded_broker.h"
#include "tests/support/dedupe_replica.h"

namespace ingestd {
namespace {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

using Replica = testing::DedupeReplica;
std::string Prose(uint64_t seed, int words) { return testing::SyllableProse(seed, words); }

// Polls (1 ms) until `done` or 20 s; false on the deadline.
template <typename Done>
bool WaitFor(Done done) {
  const auto deadline = Steady::now() + 20s;
  while (!done()) {
    if (Steady::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

rd_kafka_t* Client(rd_kafka_type_t type, const std::string& bootstrap) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) throw std::runtime_error(err);
  };
  set("bootstrap.servers", bootstrap.c_str());
  if (type == RD_KAFKA_PRODUCER) {
    set("linger.ms", "1");
  } else {
    set("group.id", "reference");
    set("fetch.wait.max.ms", "20");
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(err);
  return rk;
}

// The reference: one record at a time, produced and consumed (assign, no group).
std::vector<double> PlainRoundTrips(const std::string& bootstrap, int n) {
  rd_kafka_t* producer = Client(RD_KAFKA_PRODUCER, bootstrap);
  rd_kafka_t* consumer = Client(RD_KAFKA_CONSUMER, bootstrap);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, "reference", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  std::vector<double> ms;
  const std::string value = Prose(7, 60);
  constexpr int kWarmUp = 5;  // the producer's first metadata request, as the replicas' warm-up
  for (int i = 0; i < n + kWarmUp; ++i) {
    const auto start = Steady::now();
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("reference"), RD_KAFKA_V_PARTITION(0),
                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    bool got = false;
    while (!got && Steady::now() - start < 20s) {
      rd_kafka_poll(producer, 0);
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 1)) {
        got = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_message_destroy(m);
      }
    }
    if (got && i >= kWarmUp) ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_flush(producer, 5000);
  rd_kafka_destroy(producer);
  return ms;
}

double At(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace
}  // namespace ingestd

int main(int argc, char** argv) {
  using namespace ingestd;
  int entries = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--entries") == 0) {
      entries = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: dedupe_replication [--entries N]\n");
      return 2;
    }
  }
  EmbeddedBroker broker(1, 4, {"ingestd.dedupe-index", "reference"});
  auto config = std::make_shared<Config>();
  config->kafka.brokers = broker.bootstrap();
  config->kafka.producer["linger.ms"] = "1";

  std::vector<double> replication;
  {
    Replica a(*config);
    Replica b(*config);
    // Warm-up: the first entries wait for B's fetch sessions to start.
    for (int i = 0; i < 5; ++i) {
      a.Process("warm" + std::to_string(i), Prose(1000 + i, 300));
      if (!WaitFor([&] { return b.stage->Stats().entries >= static_cast<uint64_t>(i + 1); })) return 1;
    }
    for (int i = 0; i < entries; ++i) {
      const auto start = Steady::now();
      a.Process("e" + std::to_string(i), Prose(static_cast<uint64_t>(i), 300));
      if (!WaitFor([&] { return b.stage->Stats().entries >= static_cast<uint64_t>(i + 6); })) {
        std::fprintf(stderr, "entry %d never reached the other replica\n", i);
        return 1;
      }
      replication.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    }
  }
  const std::vector<double> plain = PlainRoundTrips(broker.bootstrap(), entries);
  std::printf("| path | records | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|\n");
  std::printf("| index on A -> applied on B (ingestd) | %zu | %.1f | %.1f | %.1f |\n", replication.size(),
              At(replication, 0.5), At(replication, 0.95), At(replication, 1.0));
  std::printf("| produce -> consume (plain librdkafka, reference) | %zu | %.1f | %.1f | %.1f |\n", plain.size(),
              At(plain, 0.5), At(plain, 0.95), At(plain, 1.0));
  std::printf("\nmedian ratio to the reference: %.2f\n", At(replication, 0.5) / std::max(At(plain, 0.5), 1e-9));
  return 0;
}
