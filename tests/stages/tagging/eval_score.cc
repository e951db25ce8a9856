#include "tests/stages/tagging/eval_score.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/tagging_config.h"
#include "stages/text/fold.h"

namespace ingestd::testing {

std::vector<EvalCase> ReadEvalSet(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::vector<EvalCase> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t');
    const auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected 3 columns");
    EvalCase c;
    c.line = n;
    c.lang = line.substr(0, t1);
    std::istringstream ids(line.substr(t1 + 1, t2 - t1 - 1));
    for (std::string id; ids >> id;) {
      if (id == "-") continue;
      if (TaxonomyTypeOfId(id).empty()) throw std::runtime_error(path + ":" + std::to_string(n) + ": bad id " + id);
      c.expected.insert(id);
    }
    c.text = line.substr(t2 + 1);
    cases.push_back(std::move(c));
  }
  return cases;
}

EvalReport ScoreEvalSet(const CompiledTaxonomy& taxonomy, const std::vector<EvalCase>& cases) {
  EvalReport report;
  for (const auto& c : cases) {
    Article article;
    article.text = c.text;
    article.folded_text = Fold(c.text);
    std::map<std::string, std::string> got;  // id -> first mention
    for (const auto& tag : taxonomy.Match(article, 1)) got[tag.id] = tag.mentions.empty() ? "" : tag.mentions[0].text;
    ++report.sentences;
    Score& lang = report.by_lang[c.lang];
    for (const auto& id : c.expected) {
      Score& s = report.by_type[TaxonomyTypeOfId(id)];
      if (got.count(id)) {
        ++s.tp, ++lang.tp, ++report.all.tp;
      } else {
        ++s.fn, ++lang.fn, ++report.all.fn;
        report.mistakes.push_back("line " + std::to_string(c.line) + ": missed " + id);
      }
    }
    for (const auto& [id, mention] : got) {
      if (c.expected.count(id)) continue;
      ++report.by_type[TaxonomyTypeOfId(id)].fp, ++lang.fp, ++report.all.fp;
      report.mistakes.push_back("line " + std::to_string(c.line) + ": extra " + id + " (\"" + mention + "\")");
    }
  }
  return report;
}

std::string FormatReport(const EvalReport& report) {
  std::string out;
  char buf[256];
  auto row = [&](const std::string& name, const Score& s) {
    std::snprintf(buf, sizeof buf, "| %s | %d | %d | %d | %.3f | %.3f |\n", name.c_str(), s.tp, s.fp, s.fn,
                  s.Precision(), s.Recall());
    out += buf;
  };
  out += "| type | true pos. | false pos. | false neg. | precision | recall |\n|---|---|---|---|---|---|\n";
  for (const auto& [type, s] : report.by_type) row(type, s);
  row("**all**", report.all);
  out += "\n| language | true pos. | false pos. | false neg. | precision | recall |\n|---|---|---|---|---|---|\n";
  for (const auto& [lang, s] : report.by_lang) row(lang, s);
  out += "\n" + std::to_string(report.sentences) + " sentences\n";
  return out;
}

}  // namespace ingestd::testing
