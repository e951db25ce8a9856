// `ingestd check-config --config FILE [--set k=v]...`: validates the config and
// builds the stage chain (so a bad taxonomy fails here too), then exits.
#include <prometheus/registry.h>

#include <iostream>

#include "daemon/commands.h"
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
    std::cout << config->file << ": ok (stages:";
    for (const auto& s : stages) std::cout << " " << s->Name();
    std::cout << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "ingestd: " << config->file << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ingestd
