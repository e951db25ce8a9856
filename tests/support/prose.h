// Deterministic made-up prose for the dedupe tests and benchmarks: words of syllables,
// a full stop every twelve words. Header-only, no test framework.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace ingestd::testing {

struct ProseShape {
  int min_syllables = 3;  // per word; from min to max, drawn when they differ
  int max_syllables = 3;
  int paragraph_every = 0;  // words between paragraph breaks ("\n\n"); 0: none
  bool final_stop = false;  // end with "."
};

inline std::string SyllableProse(uint64_t seed, int words, const ProseShape& shape = {}) {
  static const char* kSyllables[] = {"ka", "ri", "mo", "sa", "le", "na", "tu", "vo", "de", "bi",
                                     "ha", "zu", "ro", "mi", "ga", "pe", "lo", "fi", "ne", "su"};
  std::mt19937_64 rng(seed);
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (i > 0) out += (i % 12 == 0) ? ". " : " ";
    if (i > 0 && shape.paragraph_every > 0 && i % shape.paragraph_every == 0) out += "\n\n";
    const int spread = shape.max_syllables - shape.min_syllables;
    const int n = shape.min_syllables + (spread > 0 ? static_cast<int>(rng() % (spread + 1)) : 0);
    for (int j = 0; j < n; ++j) out += kSyllables[rng() % 20];
  }
  return shape.final_stop ? out + "." : out;
}

}  // namespace ingestd::testing
