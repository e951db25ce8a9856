// The tagging stage: names organizations, people, countries, places and topics
// in an article using the taxonomy. See README.md here.
#pragma once

#include <memory>
#include <string>

#include "config/tagging_config.h"
#include "stages/registry.h"
#include "stages/stage.h"

namespace ingestd {

// Throws ConfigError when the taxonomy cannot be loaded or compiled.
[[nodiscard]] std::unique_ptr<Stage> MakeTaggingStage(const TaggingConfig& config, const StageContext& context);

// The directory the build writes generated taxonomy files to (countries.yaml);
// used when tagging.generated_dir is empty.
[[nodiscard]] std::string DefaultGeneratedTaxonomyDir();

}  // namespace ingestd
