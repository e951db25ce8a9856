// `ingestd check-config --config FILE [--set k=v]...`: validates the config, builds
// the stage chain (so a bad taxonomy fails here too) and the librdkafka configuration
// of every client `run` would create (CheckKafkaClients, which `run` calls too; no
// connection), then exits.
#include <prometheus/registry.h>

#include <iostream>

#include "daemon/commands.h"
#include "daemon/kafka_runtime.h"
#include "stages/dedupe/dedupe_stage.h"
#include "stages/registry.h"

namespace ingestd {

int CheckConfigCommand(const Args& args) {
  namespace po = boost::program_options;
  ConfigOptions config_options;
  po::options_description desc("check-config options");
  config_options.Add(desc);
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args, "usage: ingestd check-config --config FILE [--set key.path=value]...", desc, vm, &code)) {
    return code;
  }
  auto config = config_options.Load();
  if (!config) return 1;
  try {
    prometheus::Registry registry;
    SystemClock clock;
    auto stages = BuildStages(*config, StageContext{&registry, &clock});
    CheckKafkaClients(*config, FindDedupeStage(stages) != nullptr);
    std::cout << config->file << ": ok (stages:";
    for (const auto& s : stages) std::cout << " " << s->Name();
    std::cout << ")\n";
  } catch (const KafkaConfigError& e) {
    std::cerr << "ingestd: config error: " << config->file << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ingestd: " << config->file << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ingestd
