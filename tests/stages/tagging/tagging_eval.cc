// tagging_eval: scores the default taxonomy on the annotated evaluation set.
//   build/tests/stages/tagging/tagging_eval [--set FILE] [--taxonomy DIR] [--generated DIR] [--verbose]
#include <cstring>
#include <iostream>

#include "config/tagging_config.h"
#include "stages/tagging/tagging_stage.h"
#include "tests/stages/tagging/eval_score.h"

int main(int argc, char** argv) {
  std::string set = std::string(INGESTD_TEST_SOURCE_DIR) + "/tests/stages/tagging/eval/eval_set.tsv";
  std::string dir = std::string(INGESTD_TEST_SOURCE_DIR) + "/config/taxonomy";
  std::string generated = ingestd::DefaultGeneratedTaxonomyDir();
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--set" && i + 1 < argc)
      set = argv[++i];
    else if (a == "--taxonomy" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--generated" && i + 1 < argc)
      generated = argv[++i];
    else if (a == "--verbose" || a == "-v")
      verbose = true;
    else {
      std::cerr << "usage: tagging_eval [--set FILE] [--taxonomy DIR] [--generated DIR] [--verbose]\n";
      return 2;
    }
  }
  try {
    const auto taxonomy = ingestd::CompileTaxonomy(ingestd::LoadTaxonomy(dir, generated));
    const auto report = ingestd::testing::ScoreEvalSet(*taxonomy, ingestd::testing::ReadEvalSet(set));
    std::cout << ingestd::testing::FormatReport(report);
    if (verbose)
      for (const auto& m : report.mistakes) std::cout << m << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tagging_eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
