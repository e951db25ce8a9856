#include "stages/dedupe/dedupe_index.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ingestd::dedupe {
namespace {

constexpr uint32_t kNone = FlatMultiMap<uint64_t>::kEmpty;
static_assert(kKeys == kBands, "a record stores one LSH key per band");
constexpr size_t kMaxCandidates = 16;
constexpr int kMaxSingleHitCandidates = 6;
// At most this many articles per LSH key: a stock phrase that is a bin's minimum
// would otherwise put thousands of articles under one key. Later articles are not
// stored under it (their other bands still find them).
constexpr size_t kMaxPerKey = 32;
// Story candidates verified per article, at most (most shared keys first).
constexpr size_t kMaxStoryCandidates = 16;
// Articles per story key, at most: a story's first articles are enough to find it
// (later ones carry its story id), and a term in more than a few articles of the
// window is a topic more than a story.
constexpr size_t kMaxPerStoryKey = 8;

// Distinct records among the hits with their hit counts, most hits first (ties:
// older first). Sorting keeps this O(n log n): a query can meet hundreds of hits
// (up to kMaxPerKey per key) when its keys are stock phrases.
std::vector<std::pair<uint32_t, int>> CountHits(std::vector<uint32_t>& hits) {
  std::sort(hits.begin(), hits.end());
  std::vector<std::pair<uint32_t, int>> out;
  for (size_t i = 0; i < hits.size();) {
    size_t j = i + 1;
    while (j < hits.size() && hits[j] == hits[i]) ++j;
    out.emplace_back(hits[i], static_cast<int>(j - i));
    i = j;
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

uint32_t Low32(uint64_t h) { return static_cast<uint32_t>(h); }
uint16_t TermFingerprint(uint32_t term) { return static_cast<uint16_t>(term); }

}  // namespace

CompactId::CompactId(std::string_view id) : data_(new char[4 + id.size()]) {
  const auto n = static_cast<uint32_t>(id.size());
  std::memcpy(data_.get(), &n, 4);
  std::memcpy(data_.get() + 4, id.data(), id.size());
}

std::string_view CompactId::view() const {
  if (!data_) return {};
  uint32_t n;
  std::memcpy(&n, data_.get(), 4);
  return {data_.get() + 4, n};
}

size_t CompactId::HeapBytes() const { return data_ ? 4 + view().size() : 0; }

DedupeIndex::DedupeIndex(IndexOptions options) : options_(options) {}

std::string DedupeIndex::StoryId(uint64_t story) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "s-%016llx", static_cast<unsigned long long>(story));
  return buf;
}

const DedupeIndex::Record* DedupeIndex::Find(uint32_t short_seq, uint64_t* seq) const {
  const uint64_t m = 0xffffffffULL;
  const uint64_t pos = (short_seq + m - Short(head_seq_)) % m;
  if (pos >= records_.size()) return nullptr;
  if (seq) *seq = head_seq_ + pos;
  return &records_[pos];
}

const DedupeIndex::Record* DedupeIndex::RootOf(const Record& record) const {
  const Record* root = Find(record.root);
  return root ? root : &record;  // the root left the window: the earliest left is this one
}

uint32_t DedupeIndex::FindExact(const Hash128& hash) const {
  uint32_t found = kNone;
  exact_.ForEach(Low32(hash.low), [&](uint32_t s) {
    const Record* r = Find(s);
    if (r && r->content == hash) found = s;
  });
  return found;
}

DedupeResult DedupeIndex::CheckAndInsert(const Query& q, int64_t now, IndexEntry* indexed,
                                         std::vector<std::string>* expired) {
  EnforceLimits(now, expired);
  DedupeResult result;

  const Record* self = nullptr;  // this very input record, indexed when it was delivered before
  uint64_t self_seq = 0;
  if (const uint32_t s = FindExact(q.content_hash); s != kNone) {
    uint64_t seq = 0;
    const Record* r = Find(s, &seq);
    if (q.delivery != 0 && r->delivery == q.delivery && r->id.view() == q.id) {
      self = r;
      self_seq = seq;
    } else {
      result.status = DedupeStatus::kExact;
      result.duplicate_of = std::string(RootOf(*r)->id.view());
      result.similarity = 1.0;
      result.story_id = StoryId(r->story);
      return result;
    }
  }
  if (self) {
    result.redelivered = true;
    result.story_id = StoryId(self->story);
    if (self->root == Short(self_seq)) {
      // A root when first judged (unique, or a new revision at its URL): it still is,
      // whatever was indexed since.
      return result;
    }
  }

  // The previous revision at this URL (the URL table points at the latest).
  const Record* previous = nullptr;
  uint32_t previous_short = kNone;
  // (A near copy delivered again had no previous revision when first judged.)
  if (q.url_hash != 0 && !self) {
    urls_.ForEach(Low32(q.url_hash), [&](uint32_t s) {
      const Record* r = Find(s);
      if (r && r->url == q.url_hash) {
        previous = r;
        previous_short = s;
      }
    });
  }

  const Signature& sig = *q.signature;
  const Record* best = nullptr;
  uint64_t best_root_seq = 0;
  double best_similarity = 0;
  // A new revision at a known URL is never a copy, whatever it shares.
  if (!previous && sig.shingles >= static_cast<uint32_t>(options_.min_shingles) && !sig.bottom.empty()) {
    std::vector<uint32_t> hits;
    for (size_t i = 0; i < sig.band_count; ++i) keys_.ForEach(sig.bands[i], [&](uint32_t s) { hits.push_back(s); });
    std::vector<std::pair<uint32_t, int>> candidates = CountHits(hits);  // short seq, key hits
    if (self) {
      // Judged again as when first delivered: only against what was indexed before it.
      std::erase_if(candidates, [&](const std::pair<uint32_t, int>& c) {
        uint64_t seq = 0;
        return Find(c.first, &seq) == nullptr || seq >= self_seq;
      });
    }
    if (candidates.size() > kMaxCandidates) candidates.resize(kMaxCandidates);
    int single_hits = 0;
    for (const auto& [s, hits] : candidates) {
      // One shared key is how short excerpts show up, but also how stock phrases
      // do: verify a few of those only.
      if (hits == 1 && ++single_hits > kMaxSingleHitCandidates) break;
      const Record* r = Find(s);
      if (!r) continue;
      // Containment is at most |old| / |new|; counts are estimates, hence the margin.
      if (r->shingles < sig.shingles * options_.near_containment * 0.7) continue;
      // The query's hashes up to the candidate's threshold are a uniform sample
      // of the new text's shingles; count those the candidate holds, and stop as
      // soon as too many are missing.
      const auto sample_end = r->tau == 0xffffffffu
                                  ? sig.bottom.end()
                                  : std::upper_bound(sig.bottom.begin(), sig.bottom.end(), r->tau,
                                                     [](uint32_t tau, uint64_t v) { return tau < Rank(v); });
      const int samples = static_cast<int>(sample_end - sig.bottom.begin());
      if (samples < options_.min_samples) continue;
      const int allowed_misses = samples - static_cast<int>(std::ceil(options_.near_containment * samples - 1e-9));
      const auto fp_begin = r->fingerprints.begin();
      const auto fp_end = fp_begin + r->fingerprint_count;
      int misses = 0;
      for (auto it = sig.bottom.begin(); it != sample_end && misses <= allowed_misses; ++it) {
        if (!std::binary_search(fp_begin, fp_end, Fingerprint(*it))) ++misses;
      }
      if (misses > allowed_misses) continue;
      const double similarity = static_cast<double>(samples - misses) / samples;
      uint64_t root_seq = 0;
      const Record* root = Find(r->root, &root_seq);
      if (!root) Find(s, &root_seq);
      if (!best || root_seq < best_root_seq || (root_seq == best_root_seq && similarity > best_similarity)) {
        best = r;
        best_root_seq = root_seq;
        best_similarity = similarity;
      }
    }
  }

  if (self) {
    if (best) {
      result.status = DedupeStatus::kNear;
      result.duplicate_of = std::string(RootOf(*best)->id.view());
      result.similarity = best_similarity;
    }
    return result;  // not indexed again
  }

  Record record;
  record.content = q.content_hash;
  record.url = q.url_hash;
  record.delivery = q.delivery;
  record.time = static_cast<uint32_t>(now);
  record.shingles = sig.shingles;
  record.id = CompactId(q.id);
  const size_t fps = std::min(sig.bottom.size(), kFingerprints);
  record.fingerprint_count = static_cast<uint8_t>(fps);
  record.tau = sig.bottom.size() > kFingerprints ? Rank(sig.bottom[kFingerprints - 1]) : 0xffffffffu;
  for (size_t i = 0; i < fps; ++i) record.fingerprints[i] = Fingerprint(sig.bottom[i]);
  std::sort(record.fingerprints.begin(), record.fingerprints.begin() + fps);

  uint32_t root_short = kNone;
  if (best) {
    const Record* root = RootOf(*best);
    result.status = DedupeStatus::kNear;
    result.duplicate_of = std::string(root->id.view());
    result.similarity = best_similarity;
    record.story = best->story;
    root_short = Short(best_root_seq);
  } else if (previous) {
    record.story = previous->story;
  } else if (const uint64_t story = q.story_terms ? FindStory(*q.story_terms, now) : 0; story != 0) {
    record.story = story;
    ++story_links_;
  } else {
    record.story = XXH3_64bits(q.id.data(), q.id.size()) | 1;
  }
  if (previous) result.revision_of = std::string(previous->id.view());
  result.story_id = StoryId(record.story);
  if (q.story_terms) {
    const auto& terms = *q.story_terms;
    record.story_terms = static_cast<uint8_t>(std::min<size_t>(terms.size(), 255));
    record.story_sample_count = static_cast<uint8_t>(std::min(terms.size(), kStorySamples));
    for (size_t i = 0; i < record.story_sample_count; ++i) record.story_samples[i] = TermFingerprint(terms[i]);
  }

  const uint64_t seq = Insert(std::move(record), &sig, q.story_keys);
  Record& inserted = records_.back();
  inserted.root = root_short == kNone ? Short(seq) : root_short;
  if (previous_short != kNone) {
    urls_.Erase(Low32(q.url_hash), previous_short);
  }
  if (indexed) *indexed = ToEntry(inserted);
  EnforceLimits(now, expired);
  return result;
}

uint64_t DedupeIndex::FindStory(const std::vector<uint32_t>& terms, int64_t now) const {
  if (terms.size() < static_cast<size_t>(options_.story_min_shared)) return 0;
  std::vector<uint32_t> hits;
  for (const uint32_t t : terms) story_keys_.ForEach(t, [&](uint32_t s) { hits.push_back(s); });
  if (hits.empty()) return 0;
  std::vector<std::pair<uint32_t, int>> candidates = CountHits(hits);  // short seq, key hits
  if (candidates.size() > kMaxStoryCandidates) candidates.resize(kMaxStoryCandidates);
  std::vector<uint16_t> fingerprints(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) fingerprints[i] = TermFingerprint(terms[i]);
  std::sort(fingerprints.begin(), fingerprints.end());
  const Record* best = nullptr;
  uint64_t best_seq = 0;
  for (const auto& [s, hits] : candidates) {
    uint64_t seq = 0;
    const Record* r = Find(s, &seq);
    if (!r || r->story_sample_count == 0) continue;
    if (static_cast<int64_t>(r->time) + options_.story_window_seconds <= now) continue;
    int shared = 0;
    for (size_t i = 0; i < r->story_sample_count; ++i) {
      shared += std::binary_search(fingerprints.begin(), fingerprints.end(), r->story_samples[i]);
    }
    if (shared < options_.story_min_shared) continue;
    // Share of the old article's terms found in the new one (from its sample), and
    // the other way round (the shared count scaled to all the old one's terms).
    const double old_share = static_cast<double>(shared) / r->story_sample_count;
    const double new_share = old_share * r->story_terms / static_cast<double>(terms.size());
    if (old_share < options_.story_min_overlap || new_share < options_.story_min_overlap) continue;
    if (!best || seq < best_seq) {
      best = r;
      best_seq = seq;
    }
  }
  return best ? best->story : 0;
}

uint64_t DedupeIndex::Insert(Record record, const Signature* sig, const std::vector<uint32_t>* story_keys) {
  const uint64_t seq = head_seq_ + records_.size();
  const uint32_t s = Short(seq);
  exact_.Insert(Low32(record.content.low), s);
  if (record.url != 0) urls_.Insert(Low32(record.url), s);
  if (story_keys) {
    record.story_key_count = 0;
    for (size_t i = 0; i < story_keys->size() && record.story_key_count < kStoryKeys; ++i) {
      const uint32_t key = (*story_keys)[i];
      if (story_keys_.InsertCapped(key, s, kMaxPerStoryKey)) record.story_keys[record.story_key_count++] = key;
    }
  } else if (!sig) {
    size_t kept = 0;
    for (size_t i = 0; i < record.story_key_count; ++i) {
      if (story_keys_.InsertCapped(record.story_keys[i], s, kMaxPerStoryKey)) {
        record.story_keys[kept++] = record.story_keys[i];
      }
    }
    record.story_key_count = static_cast<uint8_t>(kept);
  }
  if (sig) {
    record.key_count = 0;
    for (size_t i = 0; i < sig->band_count; ++i) {
      const uint32_t key = sig->bands[i];
      if (keys_.InsertCapped(key, s, kMaxPerKey)) record.keys[record.key_count++] = key;
    }
  } else {
    size_t kept = 0;
    for (size_t i = 0; i < record.key_count; ++i) {
      if (keys_.InsertCapped(record.keys[i], s, kMaxPerKey)) record.keys[kept++] = record.keys[i];
    }
    record.key_count = static_cast<uint8_t>(kept);
  }
  record.root = s;
  record_bytes_ += sizeof(Record) + record.id.HeapBytes();
  records_.push_back(std::move(record));
  return seq;
}

bool DedupeIndex::Apply(const IndexEntry& e, int64_t now) {
  if (e.indexed_at + options_.window_seconds <= now) return false;
  if (FindExact(e.content_hash) != kNone) return false;
  Record record;
  record.content = e.content_hash;
  record.url = e.url_hash;
  record.story = e.story;
  record.time = static_cast<uint32_t>(e.indexed_at);
  record.shingles = e.shingles;
  record.tau = e.tau;
  record.fingerprint_count = std::min<uint8_t>(e.fingerprint_count, kFingerprints);
  record.key_count = std::min<uint8_t>(e.key_count, kKeys);
  record.fingerprints = e.fingerprints;
  record.keys = e.keys;
  record.story_terms = e.story_terms;
  record.story_sample_count = std::min<uint8_t>(e.story_sample_count, kStorySamples);
  record.story_key_count = std::min<uint8_t>(e.story_key_count, kStoryKeys);
  record.story_samples = e.story_samples;
  record.story_keys = e.story_keys;
  record.delivery = e.delivery;
  record.id = CompactId(e.id);
  uint32_t root_short = kNone;
  if (e.root_hash != Hash128{}) {
    if (const uint32_t s = FindExact(e.root_hash); s != kNone) root_short = Find(s)->root;
  }
  uint32_t previous_short = kNone;
  if (e.url_hash != 0) {
    urls_.ForEach(Low32(e.url_hash), [&](uint32_t s) {
      const Record* r = Find(s);
      if (r && r->url == e.url_hash) previous_short = s;
    });
  }
  const uint64_t seq = Insert(std::move(record), nullptr, nullptr);
  if (root_short != kNone && Find(root_short)) records_.back().root = root_short;
  if (previous_short != kNone) urls_.Erase(Low32(e.url_hash), previous_short);
  (void)seq;
  EnforceLimits(now, nullptr);
  return true;
}

void DedupeIndex::EvictFront() {
  const Record& r = records_.front();
  const uint32_t s = Short(head_seq_);
  exact_.Erase(Low32(r.content.low), s);
  if (r.url != 0) urls_.Erase(Low32(r.url), s);  // absent when a newer revision took the slot
  for (size_t i = 0; i < r.key_count; ++i) keys_.Erase(r.keys[i], s);
  for (size_t i = 0; i < r.story_key_count; ++i) story_keys_.Erase(r.story_keys[i], s);
  record_bytes_ -= sizeof(Record) + r.id.HeapBytes();
  records_.pop_front();
  ++head_seq_;
}

size_t DedupeIndex::AccountedBytes() const {
  // Tables at their worst steady load (3/4) rather than their capacity, which
  // never shrinks and would make the budget evict everything after a burst.
  const size_t slots = (exact_.size() + urls_.size() + keys_.size() + story_keys_.size()) * 8;
  return record_bytes_ + slots * 4 / 3;
}

void DedupeIndex::EnforceLimits(int64_t now, std::vector<std::string>* expired) {
  while (!records_.empty() && static_cast<int64_t>(records_.front().time) + options_.window_seconds <= now) {
    if (expired) expired->emplace_back(records_.front().id.view());
    EvictFront();
    ++evicted_window_;
  }
  while (!records_.empty() && AccountedBytes() > static_cast<size_t>(options_.memory_budget_bytes)) {
    if (expired) expired->emplace_back(records_.front().id.view());
    EvictFront();
    ++evicted_budget_;
  }
}

void DedupeIndex::Expire(int64_t now, std::vector<std::string>* expired) { EnforceLimits(now, expired); }

IndexEntry DedupeIndex::ToEntry(const Record& r) const {
  IndexEntry e;
  e.id = std::string(r.id.view());
  e.content_hash = r.content;
  const Record* root = RootOf(r);
  if (root != &r) e.root_hash = root->content;
  e.url_hash = r.url;
  e.story = r.story;
  e.indexed_at = r.time;
  e.shingles = r.shingles;
  e.tau = r.tau;
  e.fingerprint_count = r.fingerprint_count;
  e.key_count = r.key_count;
  e.fingerprints = r.fingerprints;
  e.keys = r.keys;
  e.story_terms = r.story_terms;
  e.story_sample_count = r.story_sample_count;
  e.story_key_count = r.story_key_count;
  e.story_samples = r.story_samples;
  e.story_keys = r.story_keys;
  e.delivery = r.delivery;
  return e;
}

void DedupeIndex::ForEachEntry(const std::function<void(const IndexEntry&)>& fn) const {
  for (const Record& r : records_) fn(ToEntry(r));
}

IndexStats DedupeIndex::Stats() const {
  IndexStats s;
  s.entries = records_.size();
  s.bytes = record_bytes_ + exact_.Bytes() + urls_.Bytes() + keys_.Bytes() + story_keys_.Bytes();
  s.story_links = story_links_;
  s.evicted_window = evicted_window_;
  s.evicted_budget = evicted_budget_;
  return s;
}

}  // namespace ingestd::dedupe
