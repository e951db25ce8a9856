// Scores the tagging stage against the annotated evaluation set
// (eval/eval_set.tsv): precision and recall per tag type, over (sentence, tag id)
// pairs. Used by eval_test.cc (thresholds) and the tagging_eval tool (the table
// in docs/benchmarks.md).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "stages/tagging/compiled_taxonomy.h"

namespace ingestd::testing {

struct EvalCase {
  int line = 0;
  std::string lang;
  std::set<std::string> expected;  // tag ids
  std::string text;
};

struct Score {
  int tp = 0, fp = 0, fn = 0;
  [[nodiscard]] double Precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  [[nodiscard]] double Recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
};

struct EvalReport {
  size_t sentences = 0;
  std::map<std::string, Score> by_type;  // organization, person, country, place, topic
  std::map<std::string, Score> by_lang;
  Score all;
  std::vector<std::string> mistakes;  // "line N: missed X" / "line N: extra Y (mention)"
};

// Throws std::runtime_error on a malformed line.
[[nodiscard]] std::vector<EvalCase> ReadEvalSet(const std::string& path);
[[nodiscard]] EvalReport ScoreEvalSet(const CompiledTaxonomy& taxonomy, const std::vector<EvalCase>& cases);
// Markdown tables: per type and per language.
[[nodiscard]] std::string FormatReport(const EvalReport& report);

}  // namespace ingestd::testing
