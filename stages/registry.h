// Builds the configured stage chain. The production wiring of stages lives here
// and nowhere else.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "stages/clock.h"
#include "stages/stage.h"

namespace prometheus {
class Registry;
}

namespace ingestd {

// What a stage may use besides its own config. Pointers outlive the stages.
struct StageContext {
  prometheus::Registry* metrics = nullptr;  // for the stage's own gauges and counters
  const Clock* clock = nullptr;
};

// Throws std::runtime_error when a stage cannot start (e.g. a bad taxonomy).
[[nodiscard]] std::vector<std::unique_ptr<Stage>> BuildStages(const Config& config, const StageContext& context);

}  // namespace ingestd
