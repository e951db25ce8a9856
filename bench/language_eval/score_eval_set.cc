// Scores the language evaluation set: CLD2 alone vs the language stage's detector,
// accuracy by snippet length. Build the set first (bench/language_eval/README.md):
//
//   python3 bench/language_eval/build_eval_set.py --out build/language_eval
//   build/bench/language_eval build/language_eval/test.tsv [--errors]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "stages/language/confusables.h"
#include "stages/language/detector.h"

namespace {

double Pct(int n, int d) { return d == 0 ? 0.0 : 100.0 * n / d; }

struct Tally {
  int total = 0;
  int reliable = 0;        // stage answers marked reliable
  int reliable_right = 0;  // ... and right
  int cld2 = 0;
  int cld2_best_effort = 0;
  int stage = 0;
  // Right when the answer is the expected code or one of the languages whose
  // declaration has the snippet word for word (the set's optional fourth column).
  int cld2_either = 0;
  int cld2_best_effort_either = 0;
  int stage_either = 0;
};

void PrintAccuracy(const std::map<int, Tally>& by_length, bool either) {
  std::printf("| snippet length (chars) | snippets | CLD2 alone | CLD2 alone, best effort | language stage |\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (const auto& [length, t] : by_length) {
    std::printf("| %d | %d | %.1f%% | %.1f%% | **%.1f%%** |\n", length, t.total,
                Pct(either ? t.cld2_either : t.cld2, t.total),
                Pct(either ? t.cld2_best_effort_either : t.cld2_best_effort, t.total),
                Pct(either ? t.stage_either : t.stage, t.total));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: language_eval TEST.tsv [--errors|--samples]\n";
    return 2;
  }
  const std::string mode = argc > 2 ? argv[2] : "";
  const bool show_errors = mode == "--errors" || mode == "--samples";
  const bool show_samples = mode == "--samples";  // also print every snippet the stage got wrong
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  const ingestd::language::LanguageDetector detector({});
  std::map<int, Tally> by_length;
  std::map<int, Tally> confusable_by_length;
  std::map<std::pair<int, std::string>, Tally> by_language;
  std::map<std::string, int> confusions;         // "length expected->got" for the stage
  std::map<std::string, std::string> documents;  // language -> its 300-character snippets joined
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find('\t');
    const size_t b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const int length = std::stoi(line.substr(0, a));
    const std::string expected = line.substr(a + 1, b - a - 1);
    const size_t c = line.find('\t', b + 1);
    const std::string text = line.substr(b + 1, c == std::string::npos ? std::string::npos : c - b - 1);
    const std::string also = c == std::string::npos ? "" : "," + line.substr(c + 1) + ",";
    auto either = [&](const std::string& code) {
      return code == expected || (!code.empty() && also.find("," + code + ",") != std::string::npos);
    };
    if (length == 300) documents[expected] += text + " ";
    const std::string cld2_code = ingestd::language::LanguageDetector::Cld2Only(text, false);
    const std::string cld2_be_code = ingestd::language::LanguageDetector::Cld2Only(text, true);
    const bool cld2 = cld2_code == expected;
    const bool cld2_be = cld2_be_code == expected;
    const auto result = detector.Detect({.title = {}, .text = text, .language_hint = {}, .url = {}});
    const bool stage = result.code == expected;
    std::vector<Tally*> tallies = {&by_length[length], &by_language[{length, expected}]};
    if (!ingestd::language::GroupOf(expected).empty()) tallies.push_back(&confusable_by_length[length]);
    for (Tally* t : tallies) {
      ++t->total;
      t->cld2 += cld2;
      t->cld2_best_effort += cld2_be;
      t->stage += stage;
      t->cld2_either += either(cld2_code);
      t->cld2_best_effort_either += either(cld2_be_code);
      t->stage_either += either(result.code);
      t->reliable += result.reliable;
      t->reliable_right += result.reliable && stage;
    }
    if (!stage) ++confusions[std::to_string(length) + " " + expected + "->" + result.code];
    if (!stage && show_samples)
      std::printf("MISS %d %s->%s\t%s\n", length, expected.c_str(), result.code.c_str(), text.c_str());
  }
  PrintAccuracy(by_length, false);
  std::printf("\nEither label right where the snippet is word for word in another language's declaration too:\n\n");
  PrintAccuracy(by_length, true);
  std::printf("\n| snippet length (chars) | marked reliable | right when reliable | right when not |\n");
  std::printf("|---:|---:|---:|---:|\n");
  for (const auto& [length, t] : by_length) {
    std::printf("| %d | %.1f%% | %.1f%% | %.1f%% |\n", length, Pct(t.reliable, t.total),
                Pct(t.reliable_right, t.reliable), Pct(t.stage - t.reliable_right, t.total - t.reliable));
  }
  std::printf("\nConfusable-group languages only:\n\n");
  PrintAccuracy(confusable_by_length, false);
  // Sampling: whole test documents (a few KiB each) unsampled and with the default cap.
  const ingestd::language::LanguageDetector unsampled({.max_sample_bytes = size_t{1} << 30});
  int full_right = 0, sampled_right = 0;
  size_t bytes = 0;
  for (const auto& [expected, text] : documents) {
    bytes += text.size();
    full_right += unsampled.Detect({.title = {}, .text = text, .language_hint = {}, .url = {}}).code == expected;
    sampled_right += detector.Detect({.title = {}, .text = text, .language_hint = {}, .url = {}}).code == expected;
  }
  std::printf("\nWhole test documents (%zu, mean %zu bytes): %d right unsampled, %d sampled (max_sample_bytes=%zu)\n",
              documents.size(), documents.empty() ? 0 : bytes / documents.size(), full_right, sampled_right,
              ingestd::language::DetectorOptions{}.max_sample_bytes);
  if (show_errors) {
    std::printf("\nPer language (length: CLD2 best effort / stage):\n");
    for (const auto& [key, t] : by_language) {
      if (t.stage < t.total || t.cld2_best_effort < t.total) {
        std::printf("%4d %-8s n=%-4d cld2=%.0f%% stage=%.0f%%\n", key.first, key.second.c_str(), t.total,
                    Pct(t.cld2_best_effort, t.total), Pct(t.stage, t.total));
      }
    }
    std::printf("\nStage errors (length expected->got: count):\n");
    for (const auto& [k, n] : confusions) std::printf("%s: %d\n", k.c_str(), n);
  }
  return 0;
}
