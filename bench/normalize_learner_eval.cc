// Replays a synthetic three-source set (bench/normalize_synthetic.h) through the
// boilerplate learner alone (rules off) and reports, after warm-up, the share of
// template lines removed and the share of content lines removed.
//
//   build/bench/normalize_learner_eval [--seed N] [--per-source N] [--days N] [--warmup N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "bench/normalize_synthetic.h"
#include "config/normalize_config.h"
#include "stages/normalize/boilerplate_learner.h"
#include "stages/normalize/page_cleaner.h"

int main(int argc, char** argv) {
  uint64_t seed = 42;
  int per_source = 150;
  int days = 14;
  int warmup = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--seed")
      seed = static_cast<uint64_t>(value);
    else if (flag == "--per-source")
      per_source = static_cast<int>(value);
    else if (flag == "--days")
      days = static_cast<int>(value);
    else if (flag == "--warmup")
      warmup = static_cast<int>(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  ingestd::NormalizeConfig config;
  ingestd::BoilerplateLearner learner(config.learner);
  ingestd::PageCleaner cleaner(config, nullptr, &learner);
  ingestd::synthetic::Generator generator(seed);
  const auto articles = generator.Make(per_source, days);

  size_t template_total = 0, template_removed = 0, content_total = 0, content_removed = 0, resends = 0;
  size_t warm_template_total = 0, warm_template_removed = 0;
  for (const auto& a : articles) {
    const auto page = cleaner.Clean(a.Text(), a.source, a.time, true);
    std::multiset<std::string> removed(page.report.removed.begin(), page.report.removed.end());
    const bool warm = a.index_in_source < warmup;
    resends += a.resend && !warm;
    for (const auto& l : a.lines) {
      auto it = removed.find(l.text);
      const bool gone = it != removed.end();
      if (gone) removed.erase(it);
      if (warm) {
        warm_template_total += l.is_template;
        warm_template_removed += l.is_template && gone;
        continue;
      }
      (l.is_template ? template_total : content_total)++;
      (l.is_template ? template_removed : content_removed) += gone;
    }
  }
  std::printf("articles: %zu (3 sources x %d over %d days, seed %llu), warm-up: first %d per source\n", articles.size(),
              per_source, days, static_cast<unsigned long long>(seed), warmup);
  std::printf("re-sends after warm-up: %zu\n", resends);
  std::printf("during warm-up: template lines removed %zu / %zu (%.1f%%)\n", warm_template_removed, warm_template_total,
              100.0 * warm_template_removed / std::max<size_t>(1, warm_template_total));
  std::printf("after warm-up:  template lines removed %zu / %zu (%.2f%%)\n", template_removed, template_total,
              100.0 * template_removed / std::max<size_t>(1, template_total));
  std::printf("after warm-up:  content lines removed  %zu / %zu (%.2f%%)\n", content_removed, content_total,
              100.0 * content_removed / std::max<size_t>(1, content_total));
  std::printf("learner state: %zu sources, %zu line keys\n", learner.SourceCount(), learner.KeyCount());
  return 0;
}
