// Builds the dedupe stage's labelled set and scores it (precision and recall of
// exact+near): `build/bench/dedupe_labelled_set [--originals N] [--seed S]`.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "stages/dedupe/labelled_set.h"

int main(int argc, char** argv) {
  ingestd::dedupe::eval::SetOptions options;
  ingestd::DedupeConfig config;
  options.originals = 3000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--originals") == 0) {
      options.originals = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--story-min-overlap") == 0) {
      config.story_min_overlap = std::atof(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--seed") == 0) {
      options.seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::cerr << "usage: dedupe_labelled_set [--originals N] [--seed S]\n";
      return 2;
    }
  }
  const auto set = ingestd::dedupe::eval::MakeLabelledSet(options);
  const auto score = ingestd::dedupe::eval::ScoreSet(set, config);
  std::printf("labelled set: seed %llu, %d originals, %zu articles, %zu languages\n",
              static_cast<unsigned long long>(options.seed), options.originals, set.size(),
              ingestd::dedupe::eval::Languages().size());
  std::printf("dedupe stage time: %.1f us per article\n", score.seconds * 1e6 / static_cast<double>(set.size()));
  std::cout << score.Report();
  return score.Precision() >= 0.99 && score.Recall() >= 0.95 ? 0 : 1;
}
