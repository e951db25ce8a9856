// Reads the metric tables of docs/metrics.md, for the tests that hold the code,
// the dashboard and the alerts to that document.
#pragma once

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/test_paths.h"

namespace ingestd::testing {

struct DocumentedMetric {
  std::string name;
  std::string type;  // counter | gauge | histogram
  std::set<std::string> labels;
  std::string component;
};

struct MetricsDoc {
  std::map<std::string, DocumentedMetric> metrics;  // the catalogue: what ingestd serves
  std::map<std::string, DocumentedMetric> planned;  // asked for, code not landed yet
  std::set<std::string> external;                   // served by others (Prometheus, kube-state-metrics)

  // Whether `series` (a name as queries use it, e.g. `x_bucket`) is documented, in
  // the catalogue, as planned or as external.
  [[nodiscard]] bool Knows(const std::string& series) const {
    if (metrics.count(series) || planned.count(series) || external.count(series)) return true;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (series.size() > s.size() && series.compare(series.size() - s.size(), s.size(), s) == 0) {
        const std::string base = series.substr(0, series.size() - s.size());
        for (const auto* table : {&metrics, &planned}) {
          auto it = table->find(base);
          if (it != table->end() && it->second.type == "histogram") return true;
        }
      }
    }
    return false;
  }
};

// Cells of a Markdown table row, trimmed; empty when the line is not a row.
inline std::vector<std::string> TableCells(const std::string& line) {
  std::vector<std::string> cells;
  if (line.empty() || line[0] != '|') return cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      const size_t b = cell.find_first_not_of(' ');
      const size_t e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// `name` -> name; anything else unchanged.
inline std::string Unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
  return s;
}

inline MetricsDoc ParseMetricsDoc(const std::string& path = SourceDir() + "/docs/metrics.md") {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  MetricsDoc doc;
  enum { kNone, kCatalogue, kPlanned, kExternal } section = kNone;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      section = line == "## Catalogue"          ? kCatalogue
                : line == "## Planned"          ? kPlanned
                : line == "## External metrics" ? kExternal
                                                : kNone;
      continue;
    }
    const auto cells = TableCells(line);
    if (cells.empty() || cells[0].empty() || cells[0][0] != '`') continue;  // header, rule or not a table
    if (section == kCatalogue || section == kPlanned) {
      if (cells.size() < 5) throw std::runtime_error(path + ": short catalogue row: " + line);
      DocumentedMetric m{Unquote(cells[0]), cells[1], {}, cells[3]};
      std::stringstream labels(cells[2]);
      for (std::string l; std::getline(labels, l, ',');) {
        const size_t b = l.find('`'), e = l.rfind('`');
        if (b != std::string::npos && e > b) m.labels.insert(l.substr(b + 1, e - b - 1));
      }
      auto& table = section == kCatalogue ? doc.metrics : doc.planned;
      if (doc.metrics.count(m.name) || doc.planned.count(m.name) || !table.emplace(m.name, m).second) {
        throw std::runtime_error(path + ": listed twice: " + m.name);
      }
    } else if (section == kExternal) {
      doc.external.insert(Unquote(cells[0]));
    }
  }
  return doc;
}

}  // namespace ingestd::testing
