// In how many recent articles each story term recurs (is used at least twice),
// so the story sketch keeps what is distinctive of a story (its names, numbers,
// rare words) and drops what a language uses everywhere. Learned from the stream:
// no word lists, the same for every script.
//
// One row of 2^20 saturating 16-bit counters indexed by the term's low bits (a
// collision can only make a rare term look common: it then leaves the sketch,
// never enters it). Every kHalfLife articles all counters are halved, so the
// counts follow the last 50 000-100 000 articles.
//
// Threads: Distinctive() and Add() from any worker thread without a lock. Counters
// are relaxed atomics updated by load and store: a lost increment under a race
// only shifts a count by one, which a share of 0.5% never notices.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "stages/dedupe/signature.h"

namespace ingestd::dedupe {

class TermFrequency {
 public:
  static constexpr size_t kCounters = size_t{1} << 20;
  static constexpr uint64_t kHalfLife = 50'000;
  // Until this many articles were counted every term looks rare: no story links.
  static constexpr uint64_t kWarmUp = 200;

  TermFrequency(double max_share, uint32_t min_count)
      : max_share_(max_share), min_count_(min_count), counts_(new std::atomic<uint16_t>[kCounters]) {
    for (size_t i = 0; i < kCounters; ++i) counts_[i].store(0, std::memory_order_relaxed);
  }

  [[nodiscard]] bool Warm() const { return articles_.load(std::memory_order_relaxed) >= kWarmUp; }

  // The distinctive terms among `repeated` (ascending by term), at most `limit`: those repeated by fewer than
  // max(min_count, max_share x reference) counted articles, where the reference is the count of the article's third
  // most common repeated term. That term is a word of its language that nearly every article of the language repeats
  // ("the", "的"), so the reference estimates how many articles of this language were counted, and the share is a share
  // of those: a term common in a language that is 2% of the stream is still common. (The third, not the first: a
  // counter shared with a common term of a larger language would inflate the largest.)
  //
  // Of those, the `limit` the article repeats most are kept, and none repeated less
  // than a third as often as the first (a story's names recur through it; a rare
  // pair of words repeated by chance occurs twice).
  // Returned most repeated first (ties: smaller term first).
  [[nodiscard]] std::vector<TermCount> Distinctive(const std::vector<TermCount>& repeated, size_t limit) const {
    std::vector<uint16_t> counts(repeated.size());
    std::array<uint16_t, 3> top{};  // descending
    for (size_t i = 0; i < repeated.size(); ++i) {
      counts[i] = counts_[repeated[i].term & (kCounters - 1)].load(std::memory_order_relaxed);
      uint16_t c = counts[i];
      for (auto& t : top) {
        if (c > t) std::swap(c, t);
      }
    }
    const double threshold = std::max(static_cast<double>(min_count_), max_share_ * top[2]);
    std::vector<TermCount> rare;
    for (size_t i = 0; i < repeated.size(); ++i) {
      if (counts[i] < threshold) rare.push_back(repeated[i]);
    }
    std::sort(rare.begin(), rare.end(), [](const TermCount& a, const TermCount& b) {
      return a.count != b.count ? a.count > b.count : a.term < b.term;
    });
    // Terms repeated far less than the article's main ones are passing words that
    // happen to recur: keep those used at least a third as often as the top one.
    const uint32_t floor = rare.empty() ? 0 : std::max<uint32_t>(2, rare.front().count / 3);
    while (!rare.empty() && rare.back().count < floor) rare.pop_back();
    if (rare.size() > limit) rare.resize(limit);
    return rare;
  }

  // Counts one article's repeated terms.
  void Add(const std::vector<TermCount>& repeated) {
    for (const auto& t : repeated) {
      auto& c = counts_[t.term & (kCounters - 1)];
      const uint16_t v = c.load(std::memory_order_relaxed);
      if (v != 0xffff) c.store(static_cast<uint16_t>(v + 1), std::memory_order_relaxed);
    }
    if (articles_.fetch_add(1, std::memory_order_relaxed) + 1 == 2 * kHalfLife) {
      for (size_t i = 0; i < kCounters; ++i) {
        counts_[i].store(static_cast<uint16_t>(counts_[i].load(std::memory_order_relaxed) / 2),
                         std::memory_order_relaxed);
      }
      articles_.store(kHalfLife, std::memory_order_relaxed);
    }
  }

  [[nodiscard]] uint64_t articles() const { return articles_.load(std::memory_order_relaxed); }
  [[nodiscard]] static constexpr size_t Bytes() { return kCounters * sizeof(uint16_t); }

 private:
  const double max_share_;
  const uint32_t min_count_;
  std::unique_ptr<std::atomic<uint16_t>[]> counts_;
  std::atomic<uint64_t> articles_{0};
};

// Everything the stage computes from an article's text outside the index lock.
struct Sketch {
  Signature signature;
  std::vector<TermCount> repeated;    // counted into TermFrequency after a unique verdict
  std::vector<uint32_t> story_terms;  // distinctive, ascending
  std::vector<uint32_t> story_keys;   // the same, most repeated first
};

// Up to this many distinctive terms per article (those it repeats most).
inline constexpr size_t kMaxStoryTerms = 16;

[[nodiscard]] inline Sketch MakeSketch(std::string_view folded, const ShingleOptions& options,
                                       const TermFrequency& counts) {
  // The per-article working buffers live with the thread: after the first few
  // articles a sketch allocates only what it returns.
  struct Buffers {
    std::vector<uint64_t> hashes;
    std::vector<uint32_t> terms;
    std::vector<uint32_t> scratch;
  };
  thread_local Buffers buffers;
  Sketch s;
  ShingleHashes(folded, options, buffers.hashes, &buffers.terms);
  s.signature = MakeSignatureOf(buffers.hashes);
  RepeatedTerms(buffers.terms, buffers.scratch, s.repeated);
  // Before the counts are warm every term looks rare: no story sketch then.
  if (counts.Warm()) {
    for (const auto& t : counts.Distinctive(s.repeated, kMaxStoryTerms)) s.story_keys.push_back(t.term);
    s.story_terms = s.story_keys;
    std::sort(s.story_terms.begin(), s.story_terms.end());
  }
  return s;
}

}  // namespace ingestd::dedupe
