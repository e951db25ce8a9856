// Keys under `dedupe:`. Parsed by ParseDedupeConfig (dedupe_config.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ingestd {

class ConfigNode;

struct DedupeConfig {
  int64_t window_hours = 168;
  int64_t memory_budget_bytes = int64_t{1} << 30;
  // Statuses that stop the chain and go to the duplicates output; others go on to
  // the enriched output with their dedupe.status.
  std::vector<std::string> route_to_duplicates{"exact", "near"};
};

void ParseDedupeConfig(ConfigNode& node, DedupeConfig& out);

}  // namespace ingestd
