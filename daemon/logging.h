// Process-wide logging (spdlog) from `logging.*`: level, and text or JSON lines on
// stderr (stdout is left to commands that print results, e.g. the embedded broker's
// bootstrap address). Called once by each command on the main thread at start-up.
#pragma once

#include <string>

#include "config/config.h"

namespace ingestd {

void SetUpLogging(const LoggingConfig& config);

// `text` escaped for a JSON string (no quotes added).
[[nodiscard]] std::string JsonEscape(std::string_view text);

}  // namespace ingestd
