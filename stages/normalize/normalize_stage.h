// The normalize stage: Unicode hygiene and canonical URLs. See README.md here.
#pragma once

#include <memory>

#include "config/normalize_config.h"
#include "stages/registry.h"
#include "stages/stage.h"

namespace ingestd {

[[nodiscard]] std::unique_ptr<Stage> MakeNormalizeStage(const NormalizeConfig& config, const StageContext& context);

}  // namespace ingestd
