// Keys under `normalize:`. Parsed by ParseNormalizeConfig (normalize_config.cc).
#pragma once

#include <string>
#include <vector>

namespace ingestd {

class ConfigNode;

struct NormalizeConfig {
  // Query parameters dropped from canonical URLs besides utm_*, fbclid and gclid.
  std::vector<std::string> extra_tracking_params;
  // Keep the removed boilerplate lines in the event (debugging).
  bool debug_removed_lines = false;
};

void ParseNormalizeConfig(ConfigNode& node, NormalizeConfig& out);

}  // namespace ingestd
