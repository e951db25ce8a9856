// The learned layer of boilerplate removal: per source (host or channel), lines
// that keep recurring across many different articles within a time window.
//
// Evidence is a decayed count per line key ("in how many recent articles of this
// source did this line appear"), next to a decayed count of the source's articles.
// A line is boilerplate for a source when it was seen in at least min_articles
// earlier articles and in at least min_share of them. So a line seen once is never
// removed, and a line shared by two sources (a quotation) counts once in each.
//
// An article that is a re-send (same lines as one of the last 32 counted) or a
// revision (most of its paragraph-sized lines already known) is judged but adds
// no evidence, so repeats of one article never turn its text into "boilerplate".
//
// Bounded memory: at most max_sources sources (least recently seen evicted) and
// max_lines_per_source keys each (the weakest half dropped when full); about 48
// bytes per key and 300 per source. Evidence halves every half_life_hours of Clock time, so a changed
// template is learned again and an old one is forgotten. No training step: the
// state is built from the stream, and can be saved and loaded (Save/Load) to
// survive restarts warm.
//
// Thread-safety: Observe() is called concurrently from worker threads; sources
// are sharded, one mutex per shard, held for one article's lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/normalize_config.h"

namespace ingestd {

class BoilerplateLearner {
 public:
  struct Line {
    uint64_t key = 0;    // LineKey(); distinct within one call
    uint32_t bytes = 0;  // line length, for the re-send check
  };
  using TimePoint = std::chrono::system_clock::time_point;

  explicit BoilerplateLearner(const BoilerplateLearnerConfig& config);
  ~BoilerplateLearner();
  BoilerplateLearner(const BoilerplateLearner&) = delete;
  BoilerplateLearner& operator=(const BoilerplateLearner&) = delete;

  // Key of a line, insensitive to ASCII case, numbers (dates, counters: every
  // run of digits counts as one 0) and whitespace.
  [[nodiscard]] static uint64_t LineKey(std::string_view line);

  // Judges one article of `source` seen at `now`: result[i] is true when lines[i]
  // is learned boilerplate. Then records the article's evidence.
  [[nodiscard]] std::vector<bool> Observe(std::string_view source, const std::vector<Line>& lines, TimePoint now);

  // Binary snapshot of the whole state (host byte order). Load replaces the state;
  // returns false with *error set on a malformed stream (the state is then empty).
  void Save(std::ostream& out) const;
  [[nodiscard]] bool Load(std::istream& in, std::string* error);

  [[nodiscard]] size_t SourceCount() const;
  [[nodiscard]] size_t KeyCount() const;

 private:
  struct Shard;
  struct Source;
  [[nodiscard]] Shard& ShardOf(uint64_t source_key) const;
  [[nodiscard]] double Decay(double score, uint32_t then, uint32_t now) const;

  const BoilerplateLearnerConfig config_;
  const double half_life_seconds_;
  size_t sources_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace ingestd
