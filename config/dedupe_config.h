// Keys under `dedupe:`. Parsed by ParseDedupeConfig (dedupe_config.cc); every key
// and the reasoning behind its default is in docs/configuration.md.
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
  // Share of the NEW text's shingles found in one earlier article for `near`.
  double near_containment = 0.8;
  // Sampled shingles a containment estimate needs before it may say `near`.
  int64_t min_samples = 12;
  // Texts with fewer distinct shingles only get exact matches.
  int64_t min_shingles = 12;
  // Shingle widths: words for spaced scripts, characters for Han/kana and Thai-like scripts.
  int64_t shingle_words = 3;
  int64_t shingle_cjk_chars = 4;
  int64_t shingle_thai_chars = 8;
  // Story links (same story, little shared text): articles within this many hours
  // whose distinctive terms overlap by at least story_min_overlap (each way) and in
  // at least story_min_shared terms share a story id. A term is distinctive when an
  // article uses it twice or more and fewer than story_max_term_share of recent
  // articles in its language do (see stages/dedupe/term_frequency.h).
  int64_t story_window_hours = 48;
  double story_min_overlap = 0.35;
  int64_t story_min_shared = 3;
  double story_max_term_share = 0.02;
  // Index snapshot for `ingestd replay`: loaded at start when present, saved at the end.
  std::string snapshot_file;
};

void ParseDedupeConfig(ConfigNode& node, DedupeConfig& out);

}  // namespace ingestd
