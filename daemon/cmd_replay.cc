// `ingestd replay`: see replay.h.
#include <prometheus/registry.h>

#include <iostream>

#include "daemon/commands.h"
#include "daemon/replay.h"
#include "stages/dedupe/dedupe_stage.h"
#include "stages/registry.h"

namespace ingestd {

int ReplayCommand(const Args& args) {
  namespace po = boost::program_options;
  ConfigOptions config_options;
  ReplayOptions options;
  po::options_description desc("replay options");
  config_options.Add(desc);
  desc.add_options()("input,i", po::value<std::string>(&options.input)->default_value("-"),
                     "JSON Lines input, - for stdin")(
      "output,o", po::value<std::string>(&options.output)->default_value("-"), "enriched events, - for stdout")(
      "duplicates", po::value<std::string>(&options.duplicates), "duplicate events (default: with --output)")(
      "dlq", po::value<std::string>(&options.dead_letters), "dead letters (default: stderr)")("quiet,q",
                                                                                              "no progress lines");
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args,
                 "usage: ingestd replay --config FILE [--set key.path=value]... --input IN --output OUT "
                 "[--duplicates DUP] [--dlq DLQ] [--quiet]",
                 desc, vm, &code)) {
    return code;
  }
  options.progress = vm.count("quiet") == 0;
  auto config = config_options.Load();
  if (!config) return 1;
  try {
    prometheus::Registry registry;
    SystemClock clock;
    PipelineProbe probe(registry);
    Processor processor(config, BuildStages(*config, StageContext{&registry, &clock}), probe);
    RunReplay(processor, options, std::cerr);
    // What the stages keep for the next run (the learner's snapshot) and the dedupe
    // index snapshot (dedupe.snapshot_file), for a later replay to continue from:
    // every one is attempted before a failure is reported.
    std::string failures;
    for (const auto& stage : processor.stages()) {
      std::string error;
      if (!stage->Persist(&error)) failures += (failures.empty() ? "" : "; ") + error;
    }
    if (DedupeStage* dedupe = FindDedupeStage(processor.stages())) {
      std::string error;
      if (!dedupe->Flush(&error)) failures += (failures.empty() ? "" : "; ") + error;
    }
    if (!failures.empty()) throw std::runtime_error(failures);
  } catch (const std::exception& e) {
    std::cerr << "ingestd: replay: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ingestd
