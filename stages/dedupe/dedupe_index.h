// The dedupe index: exact (content hash), revision (canonical URL) and near
// (containment) lookups over the articles of the time window, oldest first out.
//
// Layout per indexed article (about 500 bytes with the tables, see README.md):
// a Record in a FIFO ring (content hash, URL hash, story, time, the group's root,
// 64 fingerprints and 12 LSH keys, the story sketch, the id), one slot in the
// exact table, one in the URL table, 12 in the LSH table and up to 3 in the story
// table. Evicting the oldest record removes its
// slots, so memory stays flat under a steady stream.
//
// Near lookup: the query's 12 band keys (signature.h: one-permutation MinHash,
// 8 bands of one row for low Jaccard, i.e. containment across sizes, and 4 of two
// rows) are looked up in the LSH table; candidates are tried most hits first. Each
// candidate is verified by estimating the share of the NEW
// text's shingles present in the candidate: the query's hashes below the
// candidate's sampling threshold are a uniform sample of its shingles, and each is
// checked against the candidate's fingerprints.
//
// Story links: an article that is neither a copy nor a revision looks up its
// distinctive terms (terms it repeats that few recent articles repeat: names,
// numbers, rare words; chosen by the stage, see term_frequency.h) in the story
// table, which holds each record's 3 most repeated distinctive terms (its main
// names: the ones a rewrite keeps). A candidate
// within the story window is verified on the record's 12 smallest terms: at least
// `story_min_shared` of them in the new article, and at least `story_min_overlap`
// of each article's distinctive terms shared (estimated for the old one from its
// sample). The article then takes the candidate's story id; its verdict is not
// affected.
//
// Not thread-safe: the stage guards it with a mutex. Time is passed in (unix
// seconds), never read from a clock here.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stages/article.h"
#include "stages/dedupe/flat_multimap.h"
#include "stages/dedupe/index_entry.h"
#include "stages/dedupe/signature.h"

namespace ingestd::dedupe {

struct IndexOptions {
  int64_t window_seconds = 7 * 24 * 3600;
  int64_t memory_budget_bytes = int64_t{1} << 30;
  double near_containment = 0.8;  // share of the new text found in the old one
  int min_samples = 12;           // fewer sampled shingles: no near verdict
  int min_shingles = 12;          // shorter texts: exact matches only
  int64_t story_window_seconds = 48 * 3600;
  double story_min_overlap = 0.35;  // share of each article's distinctive terms found in the other
  int story_min_shared = 3;         // distinctive terms two articles of one story share, at least
};

// A record's id, on the heap at its exact length (8 bytes in the record instead
// of a 32-byte std::string: the record is most of an article's memory).
class CompactId {
 public:
  CompactId() = default;
  explicit CompactId(std::string_view id);
  CompactId(CompactId&&) noexcept = default;
  CompactId& operator=(CompactId&&) noexcept = default;
  [[nodiscard]] std::string_view view() const;
  [[nodiscard]] size_t HeapBytes() const;

 private:
  std::unique_ptr<char[]> data_;  // 4-byte length, then the bytes
};

struct Query {
  std::string_view id;
  Hash128 content_hash;
  uint64_t url_hash = 0;  // 0: no canonical URL
  const Signature* signature = nullptr;
  // Distinctive terms, ascending (may be null or empty: no story lookup), and the
  // same most repeated first (the first that fit become the story keys).
  const std::vector<uint32_t>* story_terms = nullptr;
  const std::vector<uint32_t>* story_keys = nullptr;
  // DeliveryKey of the input record; 0 when unknown (replay from files).
  uint16_t delivery = 0;
};

struct IndexStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t evicted_window = 0;
  uint64_t evicted_budget = 0;
  uint64_t story_links = 0;  // articles that took an earlier article's story id by a story lookup
};

class DedupeIndex {
 public:
  explicit DedupeIndex(IndexOptions options);

  // Judges the query against the window and indexes it unless it is an exact
  // copy. When `indexed` is given and the article was indexed, it receives the
  // entry (to publish); `expired` receives the ids evicted by time.
  //
  // The same input record delivered again (same id, content and delivery key: the
  // runtime consumes it again after a crash or a rebalance, and its entry may
  // already be here or have come back from the shared log) is not a copy of
  // itself: a root then (unique, or a new revision) is unique again; a near copy
  // is judged again against what was indexed before it (near the same original,
  // unless that left the window). It is not indexed twice, and `redelivered` is set.
  // Only `revision_of` is not given again (the URL table kept only the newest
  // revision: itself).
  DedupeResult CheckAndInsert(const Query& query, int64_t now, IndexEntry* indexed = nullptr,
                              std::vector<std::string>* expired = nullptr);

  // Adds an entry from the shared log or a snapshot. Returns false when it is
  // already present (same content hash) or outside the window.
  bool Apply(const IndexEntry& entry, int64_t now);

  // Evicts what left the window or exceeds the budget.
  void Expire(int64_t now, std::vector<std::string>* expired = nullptr);

  // Entries oldest first (for snapshots).
  void ForEachEntry(const std::function<void(const IndexEntry&)>& fn) const;

  [[nodiscard]] IndexStats Stats() const;
  [[nodiscard]] const IndexOptions& options() const { return options_; }

  static std::string StoryId(uint64_t story);

 private:
  struct Record {
    Hash128 content;
    uint64_t url = 0;
    uint64_t story = 0;
    uint32_t time = 0;  // unix seconds
    uint32_t root = 0;  // short seq of the group's earliest article (own for roots)
    uint32_t shingles = 0;
    uint32_t tau = 0;
    uint8_t fingerprint_count = 0;
    uint8_t key_count = 0;
    uint8_t story_terms = 0;
    uint8_t story_sample_count = 0;
    uint8_t story_key_count = 0;
    std::array<uint16_t, kFingerprints> fingerprints{};
    std::array<uint16_t, kStorySamples> story_samples{};
    uint16_t delivery = 0;  // in what was padding: the record stays 280 bytes
    std::array<uint32_t, kKeys> keys{};
    std::array<uint32_t, kStoryKeys> story_keys{};
    CompactId id;
  };

  // Records are numbered in insertion order; tables hold the number modulo
  // 2^32 - 1 (0xffffffff marks an empty slot).
  static uint32_t Short(uint64_t seq) { return static_cast<uint32_t>(seq % 0xffffffffULL); }
  const Record* Find(uint32_t short_seq, uint64_t* seq = nullptr) const;
  const Record* RootOf(const Record& record) const;
  uint32_t FindExact(const Hash128& hash) const;  // FlatMultiMap<>::kEmpty when absent
  // Adds the record and its table slots; LSH keys come from `sig` (and story keys
  // from `story_keys`) when given, else from record.keys (an applied entry).
  uint64_t Insert(Record record, const Signature* sig, const std::vector<uint32_t>* story_keys);
  // The story of the earliest record of the window that tells the same story as
  // the query's terms, or 0.
  uint64_t FindStory(const std::vector<uint32_t>& terms, int64_t now) const;
  void EvictFront();
  void EnforceLimits(int64_t now, std::vector<std::string>* expired);
  size_t AccountedBytes() const;
  IndexEntry ToEntry(const Record& record) const;

  const IndexOptions options_;
  std::deque<Record> records_;
  uint64_t head_seq_ = 0;  // seq of records_.front()
  // Exact and URL tables are keyed by the hash's low 32 bits; the record holds the
  // full hash and every hit is checked against it.
  FlatMultiMap<uint32_t> exact_;
  FlatMultiMap<uint32_t> urls_;
  FlatMultiMap<uint32_t> keys_;
  FlatMultiMap<uint32_t> story_keys_;
  size_t record_bytes_ = 0;
  uint64_t evicted_window_ = 0;
  uint64_t evicted_budget_ = 0;
  uint64_t story_links_ = 0;
};

}  // namespace ingestd::dedupe
