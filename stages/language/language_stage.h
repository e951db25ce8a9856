// The language stage: CLD2 with the full tables, a second opinion for confusable
// languages, bounded cost. See README.md here.
#pragma once

#include <memory>

#include "config/language_config.h"
#include "stages/registry.h"
#include "stages/stage.h"

namespace ingestd {

[[nodiscard]] std::unique_ptr<Stage> MakeLanguageStage(const LanguageConfig& config, const StageContext& context);

}  // namespace ingestd
