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
  out.near_containment = node.Double("near_containment", out.near_containment, 0.5, 1.0);
  out.min_samples = node.Int("min_samples", out.min_samples, 1, 64);
  out.min_shingles = node.Int("min_shingles", out.min_shingles, 1, 100000);
  out.shingle_words = node.Int("shingle_words", out.shingle_words, 1, 8);
  out.shingle_cjk_chars = node.Int("shingle_cjk_chars", out.shingle_cjk_chars, 1, 8);
  out.shingle_thai_chars = node.Int("shingle_thai_chars", out.shingle_thai_chars, 1, 8);
  out.story_window_hours = node.Int("story_window_hours", out.story_window_hours, 1, 24 * 365);
  out.story_min_overlap = node.Double("story_min_overlap", out.story_min_overlap, 0.05, 1.0);
  out.story_min_shared = node.Int("story_min_shared", out.story_min_shared, 1, 12);
  out.story_max_term_share = node.Double("story_max_term_share", out.story_max_term_share, 0.0001, 1.0);
  out.snapshot_file = node.FilePath("snapshot_file", out.snapshot_file);
  node.Done();
}

}  // namespace ingestd
