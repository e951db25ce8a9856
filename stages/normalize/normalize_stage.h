// The normalize stage: text hygiene, HTML extraction, canonical URL, boilerplate
// removal (rules + per-source learner), segments, folded views. See README.md here.
#pragma once

#include <memory>

#include "config/normalize_config.h"
#include "stages/registry.h"
#include "stages/stage.h"

namespace ingestd {

// Throws std::runtime_error when a boilerplate rule does not compile.
[[nodiscard]] std::unique_ptr<Stage> MakeNormalizeStage(const NormalizeConfig& config, const StageContext& context);

}  // namespace ingestd
