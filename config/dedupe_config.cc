#include "config/dedupe_config.h"

#include "config/reader.h"

namespace ingestd {

void ParseDedupeConfig(ConfigNode& node, DedupeConfig& out) {
  out.window_hours = node.Int("window_hours", out.window_hours, 1, 24 * 365);
  out.memory_budget_bytes = node.Int("memory_budget_bytes", out.memory_budget_bytes, 1 << 20, int64_t{1} << 40);
  out.route_to_duplicates = node.StringList("route_to_duplicates", out.route_to_duplicates);
  for (const auto& s : out.route_to_duplicates) {
    if (s != "exact" && s != "near") node.Fail("route_to_duplicates", "expected exact or near, got \"" + s + "\"");
  }
  node.Done();
}

}  // namespace ingestd
