#include "config/normalize_config.h"

#include "config/reader.h"

namespace ingestd {

void ParseNormalizeConfig(ConfigNode& node, NormalizeConfig& out) {
  out.extra_tracking_params = node.StringList("extra_tracking_params", out.extra_tracking_params);
  out.debug_removed_lines = node.Bool("debug_removed_lines", out.debug_removed_lines);
  node.Done();
}

}  // namespace ingestd
