// ingestd: entry point. Dispatches to the subcommands in commands.h.
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <cstring>
#include <iostream>
#include <string>

#include "daemon/commands.h"
#include "daemon/version.h"

#define INGESTD_STR2(x) #x
#define INGESTD_STR(x) INGESTD_STR2(x)
#define SIMDJSON_VERSION_STR INGESTD_STR(SIMDJSON_VERSION)

namespace {

constexpr const char* kUsage = R"(usage: ingestd COMMAND [options]

commands:
  run              consume, enrich and publish (the daemon)
  replay           run the stage chain over JSON Lines files
  check-config     validate a config file and exit
  embedded-broker  start an in-process Kafka broker for development
  --version        print the version

Run 'ingestd COMMAND --help' for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  const ingestd::Args args(argv + 2, argv + argc);
  if (command == "--version" || command == "version") {
    std::cout << "ingestd " << INGESTD_VERSION << " (librdkafka " << rd_kafka_version_str() << ", simdjson "
              << SIMDJSON_VERSION_STR << ")\n";
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "check-config") return ingestd::CheckConfigCommand(args);
  if (command == "replay") return ingestd::ReplayCommand(args);
  if (command == "run") return ingestd::RunCommand(args);
  if (command == "embedded-broker") return ingestd::EmbeddedBrokerCommand(args);
  std::cerr << "ingestd: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
