#include "stages/dedupe/dedupe_index.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ingestd::dedupe {
namespace {

constexpr uint32_t kNone = FlatMultiMap<uint64_t>::kEmpty;
// The query looks up its smallest hashes: a candidate that contains 80% of it
// has at least 0.8x its size, so its 12 keys lie among the query's 15 smallest
// (a few more when capped keys pushed them further).
constexpr size_t kQueryKeys = 24;
constexpr size_t kMaxCandidates = 16;
constexpr int kMaxSingleHitCandidates = 6;
// At most this many articles per LSH key: a stock phrase with a small hash would
// otherwise put thousands of articles under one key. Later articles take their
// next smallest hash instead.
constexpr size_t kMaxPerKey = 32;

size_t HeapBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

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
  exact_.ForEach(hash.low, [&](uint32_t s) {
    const Record* r = Find(s);
    if (r && r->content == hash) found = s;
  });
  return found;
}

DedupeResult DedupeIndex::CheckAndInsert(const Query& q, int64_t now, IndexEntry* indexed,
                                         std::vector<std::string>* expired) {
  EnforceLimits(now, expired);
  DedupeResult result;

  if (const uint32_t s = FindExact(q.content_hash); s != kNone) {
    const Record* r = Find(s);
    result.status = DedupeStatus::kExact;
    result.duplicate_of = RootOf(*r)->id;
    result.similarity = 1.0;
    result.story_id = StoryId(r->story);
    return result;
  }

  // The previous revision at this URL (the URL table points at the latest).
  const Record* previous = nullptr;
  uint32_t previous_short = kNone;
  if (q.url_hash != 0) {
    urls_.ForEach(q.url_hash, [&](uint32_t s) {
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
    std::vector<std::pair<uint32_t, int>> candidates;  // short seq, key hits
    const size_t lookups = std::min(sig.bottom.size(), kQueryKeys);
    for (size_t i = 0; i < lookups; ++i) {
      keys_.ForEach(Rank(sig.bottom[i]), [&](uint32_t s) {
        for (auto& c : candidates) {
          if (c.first == s) {
            ++c.second;
            return;
          }
        }
        candidates.emplace_back(s, 1);
      });
    }
    std::sort(candidates.begin(), candidates.end(), [](auto& a, auto& b) { return a.second > b.second; });
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

  Record record;
  record.content = q.content_hash;
  record.url = q.url_hash;
  record.time = static_cast<uint32_t>(now);
  record.shingles = sig.shingles;
  record.id = std::string(q.id);
  const size_t fps = std::min(sig.bottom.size(), kFingerprints);
  record.fingerprint_count = static_cast<uint8_t>(fps);
  record.tau = sig.bottom.size() > kFingerprints ? Rank(sig.bottom[kFingerprints - 1]) : 0xffffffffu;
  for (size_t i = 0; i < fps; ++i) record.fingerprints[i] = Fingerprint(sig.bottom[i]);
  std::sort(record.fingerprints.begin(), record.fingerprints.begin() + fps);

  uint32_t root_short = kNone;
  if (best) {
    const Record* root = RootOf(*best);
    result.status = DedupeStatus::kNear;
    result.duplicate_of = root->id;
    result.similarity = best_similarity;
    record.story = best->story;
    root_short = Short(best_root_seq);
  } else if (previous) {
    record.story = previous->story;
  } else {
    record.story = XXH3_64bits(q.id.data(), q.id.size()) | 1;
  }
  if (previous) result.revision_of = previous->id;
  result.story_id = StoryId(record.story);

  const uint64_t seq = Insert(std::move(record), &sig);
  Record& inserted = records_.back();
  inserted.root = root_short == kNone ? Short(seq) : root_short;
  if (previous_short != kNone) {
    urls_.Erase(q.url_hash, previous_short);
  }
  if (indexed) *indexed = ToEntry(inserted);
  EnforceLimits(now, expired);
  return result;
}

uint64_t DedupeIndex::Insert(Record record, const Signature* sig) {
  const uint64_t seq = head_seq_ + records_.size();
  const uint32_t s = Short(seq);
  exact_.Insert(record.content.low, s);
  if (record.url != 0) urls_.Insert(record.url, s);
  if (sig) {
    record.key_count = 0;
    for (size_t i = 0; i < sig->bottom.size() && record.key_count < kKeys; ++i) {
      const uint32_t key = Rank(sig->bottom[i]);
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
  record_bytes_ += sizeof(Record) + HeapBytes(record.id);
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
  record.id = e.id;
  uint32_t root_short = kNone;
  if (e.root_hash != Hash128{}) {
    if (const uint32_t s = FindExact(e.root_hash); s != kNone) root_short = Find(s)->root;
  }
  uint32_t previous_short = kNone;
  if (e.url_hash != 0) {
    urls_.ForEach(e.url_hash, [&](uint32_t s) {
      const Record* r = Find(s);
      if (r && r->url == e.url_hash) previous_short = s;
    });
  }
  const uint64_t seq = Insert(std::move(record), nullptr);
  if (root_short != kNone && Find(root_short)) records_.back().root = root_short;
  if (previous_short != kNone) urls_.Erase(e.url_hash, previous_short);
  (void)seq;
  EnforceLimits(now, nullptr);
  return true;
}

void DedupeIndex::EvictFront() {
  const Record& r = records_.front();
  const uint32_t s = Short(head_seq_);
  exact_.Erase(r.content.low, s);
  if (r.url != 0) urls_.Erase(r.url, s);  // absent when a newer revision took the slot
  for (size_t i = 0; i < r.key_count; ++i) keys_.Erase(r.keys[i], s);
  record_bytes_ -= sizeof(Record) + HeapBytes(r.id);
  records_.pop_front();
  ++head_seq_;
}

size_t DedupeIndex::AccountedBytes() const {
  // Tables at their worst steady load (3/4) rather than their capacity, which
  // never shrinks and would make the budget evict everything after a burst.
  const size_t slots = (exact_.size() + urls_.size()) * 16 + keys_.size() * 8;
  return record_bytes_ + slots * 4 / 3;
}

void DedupeIndex::EnforceLimits(int64_t now, std::vector<std::string>* expired) {
  while (!records_.empty() && static_cast<int64_t>(records_.front().time) + options_.window_seconds <= now) {
    if (expired) expired->push_back(records_.front().id);
    EvictFront();
    ++evicted_window_;
  }
  while (!records_.empty() && AccountedBytes() > static_cast<size_t>(options_.memory_budget_bytes)) {
    if (expired) expired->push_back(records_.front().id);
    EvictFront();
    ++evicted_budget_;
  }
}

void DedupeIndex::Expire(int64_t now, std::vector<std::string>* expired) { EnforceLimits(now, expired); }

IndexEntry DedupeIndex::ToEntry(const Record& r) const {
  IndexEntry e;
  e.id = r.id;
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
  return e;
}

void DedupeIndex::ForEachEntry(const std::function<void(const IndexEntry&)>& fn) const {
  for (const Record& r : records_) fn(ToEntry(r));
}

IndexStats DedupeIndex::Stats() const {
  IndexStats s;
  s.entries = records_.size();
  s.bytes = record_bytes_ + exact_.Bytes() + urls_.Bytes() + keys_.Bytes();
  s.evicted_window = evicted_window_;
  s.evicted_budget = evicted_budget_;
  return s;
}

}  // namespace ingestd::dedupe
