// Keys under `normalize:`. Parsed by ParseNormalizeConfig (normalize_config.cc),
// which also reads the boilerplate rule files (the stage never sees YAML).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ingestd {

class ConfigNode;

// One line pattern of the rule layer of boilerplate removal.
struct BoilerplateRule {
  enum class Action {
    kDrop,   // remove the line
    kCut,    // remove the line and everything after it (footers: "Leave a Reply"), when it sits late in the text
    kBreak,  // remove the line; what follows is another article on the same page ("Continue Reading")
  };
  std::string id;       // "en/connect_with_us": language file and rule name
  std::string pattern;  // Hyperscan (PCRE subset) pattern matched against a whole line, case-insensitive
  Action action = Action::kDrop;
  std::string origin;  // file (or config key) it came from, for error messages
};

// The per-source learner (second layer). See stages/normalize/boilerplate_learner.h.
struct BoilerplateLearnerConfig {
  bool enabled = true;
  // A line is boilerplate for a source once seen in at least min_articles earlier
  // articles of that source and in at least min_share of its recent articles.
  int64_t min_articles = 5;
  double min_share = 0.1;
  // Evidence halves every half_life_hours (Clock time).
  int64_t half_life_hours = 72;
  int64_t max_sources = 512;
  int64_t max_lines_per_source = 4096;
  // Longer lines are never learned (template lines are short; paragraphs are content).
  int64_t max_line_bytes = 1000;
  // Optional file: loaded at start-up when present, written at shutdown.
  std::string snapshot;
};

struct NormalizeConfig {
  // Query parameters dropped from canonical URLs besides utm_*, fbclid and gclid.
  std::vector<std::string> extra_tracking_params;
  // Keep the removed boilerplate lines in the event (debugging).
  bool debug_removed_lines = false;
  // Rule layer: the shipped files (boilerplate_rules_dir/*.yaml, relative to the
  // config file) then boilerplate_rules_file, then inline `boilerplate_rules`.
  std::vector<BoilerplateRule> boilerplate_rules;
  BoilerplateLearnerConfig learner;
  // Exact repeats of a line inside one article (pages that print their body twice).
  bool drop_repeated_lines = true;
  // A segment (one of several articles on a page) needs at least this many bytes.
  int64_t min_segment_bytes = 200;
};

void ParseNormalizeConfig(ConfigNode& node, NormalizeConfig& out);

// Reads one rule file (see config/boilerplate/README.md). Throws ConfigError
// naming the file and the rule.
[[nodiscard]] std::vector<BoilerplateRule> LoadBoilerplateRuleFile(const std::string& path);
// Every *.yaml in dir, in name order.
[[nodiscard]] std::vector<BoilerplateRule> LoadBoilerplateRuleDir(const std::string& dir);

}  // namespace ingestd
