// Line-level cleaning of one article's text (already through CleanText): the
// boilerplate rules, exact repeats inside the article, headline digests, the
// per-source learner, then segment detection for pages holding several articles.
//
// Stateless itself (the learner it calls keeps the state); Clean() is called
// concurrently from worker threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/normalize_config.h"
#include "stages/article.h"
#include "stages/normalize/boilerplate_learner.h"
#include "stages/normalize/boilerplate_rules.h"

namespace ingestd {

struct CleanedPage {
  std::string text;
  BoilerplateReport report;
  std::vector<Segment> segments;  // empty unless the page holds two or more articles
  // Removed lines by layer, for metrics.
  uint32_t removed_by_rule = 0;
  uint32_t removed_as_repeat = 0;
  uint32_t removed_as_digest = 0;
  uint32_t removed_by_learner = 0;
};

class PageCleaner {
 public:
  // rules and learner may be null (layer off); they must outlive the cleaner.
  PageCleaner(const NormalizeConfig& config, const BoilerplateRules* rules, BoilerplateLearner* learner);

  [[nodiscard]] CleanedPage Clean(std::string_view text, std::string_view source,
                                  std::chrono::system_clock::time_point now, bool keep_removed) const;

 private:
  const BoilerplateRules* rules_;
  BoilerplateLearner* learner_;
  bool drop_repeats_;
  size_t min_segment_bytes_;
  size_t learner_max_line_bytes_;
};

}  // namespace ingestd
