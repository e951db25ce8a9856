// The dedupe index: exact (content hash), revision (canonical URL) and near
// (containment) lookups over the articles of the time window, oldest first out.
//
// Layout per indexed article (about 480 bytes with the tables, see README.md):
// a Record in a FIFO ring (content hash, URL hash, story, time, the group's root,
// 64 fingerprints and 12 LSH keys, the id), one slot in the exact table, one in
// the URL table and 12 in the LSH table. Evicting the oldest record removes its
// slots, so memory stays flat under a steady stream.
//
// Near lookup: the query's smallest hashes are looked up in the LSH table
// (bottom-k MinHash with bands of one value: a copy that keeps a fraction f of its
// original shares one of the original's 12 keys with probability 1 - (1 - f)^12,
// whatever their sizes, which is what containment needs and banded Jaccard LSH
// does not give). Each candidate is verified by estimating the share of the NEW
// text's shingles present in the candidate: the query's hashes below the
// candidate's sampling threshold are a uniform sample of its shingles, and each is
// checked against the candidate's fingerprints.
//
// Not thread-safe: the stage guards it with a mutex. Time is passed in (unix
// seconds), never read from a clock here.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
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
};

struct Query {
  std::string_view id;
  Hash128 content_hash;
  uint64_t url_hash = 0;  // 0: no canonical URL
  const Signature* signature = nullptr;
};

struct IndexStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t evicted_window = 0;
  uint64_t evicted_budget = 0;
};

class DedupeIndex {
 public:
  explicit DedupeIndex(IndexOptions options);

  // Judges the query against the window and indexes it unless it is an exact
  // copy. When `indexed` is given and the article was indexed, it receives the
  // entry (to publish); `expired` receives the ids evicted by time.
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
    std::array<uint16_t, kFingerprints> fingerprints{};
    std::array<uint32_t, kKeys> keys{};
    std::string id;
  };

  // Records are numbered in insertion order; tables hold the number modulo
  // 2^32 - 1 (0xffffffff marks an empty slot).
  static uint32_t Short(uint64_t seq) { return static_cast<uint32_t>(seq % 0xffffffffULL); }
  const Record* Find(uint32_t short_seq, uint64_t* seq = nullptr) const;
  const Record* RootOf(const Record& record) const;
  uint32_t FindExact(const Hash128& hash) const;  // FlatMultiMap<>::kEmpty when absent
  // Adds the record and its table slots; LSH keys come from `sig` when given,
  // else from record.keys (an applied entry).
  uint64_t Insert(Record record, const Signature* sig);
  void EvictFront();
  void EnforceLimits(int64_t now, std::vector<std::string>* expired);
  size_t AccountedBytes() const;
  IndexEntry ToEntry(const Record& record) const;

  const IndexOptions options_;
  std::deque<Record> records_;
  uint64_t head_seq_ = 0;  // seq of records_.front()
  FlatMultiMap<uint64_t> exact_;
  FlatMultiMap<uint64_t> urls_;
  FlatMultiMap<uint32_t> keys_;
  size_t record_bytes_ = 0;
  uint64_t evicted_window_ = 0;
  uint64_t evicted_budget_ = 0;
};

}  // namespace ingestd::dedupe
