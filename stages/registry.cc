#include "stages/registry.h"

#include <stdexcept>

#include "stages/dedupe/dedupe_stage.h"
#include "stages/language/language_stage.h"
#include "stages/normalize/normalize_stage.h"
#include "stages/tagging/tagging_stage.h"

namespace ingestd {

std::vector<std::unique_ptr<Stage>> BuildStages(const Config& config, const StageContext& context) {
  std::vector<std::unique_ptr<Stage>> stages;
  for (const auto& name : config.pipeline.stages) {
    if (name == "normalize") {
      stages.push_back(MakeNormalizeStage(config.normalize, context));
    } else if (name == "dedupe") {
      stages.push_back(MakeDedupeStage(config.dedupe, context));
    } else if (name == "language") {
      stages.push_back(MakeLanguageStage(config.language, context));
    } else if (name == "tagging") {
      stages.push_back(MakeTaggingStage(config.tagging, context));
    } else {
      throw std::runtime_error("stage \"" + name + "\" is not available in this build");
    }
  }
  return stages;
}

}  // namespace ingestd
