// Dedupe index entries as they arrive from the shared compacted topic (any bytes a
// producer wrote there), decoded and applied to an index. Oracles: a decoded entry
// encodes and decodes to the same entry; applying it twice adds it once; the index
// then judges queries without breaking (its own record delivered again is not a copy
// of itself; the same content from elsewhere is an exact copy of it), and gives the
// entry back as it was applied.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stages/dedupe/dedupe_index.h"
#include "stages/dedupe/index_entry.h"
#include "stages/dedupe/signature.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ingestd;
using namespace ingestd::dedupe;

bool SameEntry(const IndexEntry& a, const IndexEntry& b) {
  return a.id == b.id && a.content_hash == b.content_hash && a.root_hash == b.root_hash && a.url_hash == b.url_hash &&
         a.story == b.story && a.indexed_at == b.indexed_at && a.shingles == b.shingles && a.tau == b.tau &&
         a.fingerprint_count == b.fingerprint_count && a.key_count == b.key_count && a.fingerprints == b.fingerprints &&
         a.keys == b.keys && a.story_terms == b.story_terms && a.story_sample_count == b.story_sample_count &&
         a.story_key_count == b.story_key_count && a.story_samples == b.story_samples && a.story_keys == b.story_keys &&
         a.delivery == b.delivery;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto entry = DecodeEntry(bytes);
  if (!entry) return 0;
  const auto again = DecodeEntry(EncodeEntry(*entry));
  INGESTD_FUZZ_CHECK(again && SameEntry(*entry, *again));

  DedupeIndex index(IndexOptions{});
  // "Now" inside the entry's window, so that it is applied (a decoded time fits 32 bits).
  const int64_t now = entry->indexed_at + 1;
  const bool applied = index.Apply(*entry, now);
  INGESTD_FUZZ_CHECK(!index.Apply(*entry, now));
  INGESTD_FUZZ_CHECK(index.Stats().entries == (applied ? 1u : 0u));
  if (!applied) return 0;

  size_t seen = 0;
  index.ForEachEntry([&](const IndexEntry& e) {
    ++seen;
    INGESTD_FUZZ_CHECK(e.id == entry->id && e.content_hash == entry->content_hash);
    INGESTD_FUZZ_CHECK(e.delivery == entry->delivery);
  });
  INGESTD_FUZZ_CHECK(seen == 1);

  const Signature sig = MakeSignature("a few words of text to judge against the applied entry now", ShingleOptions{});
  Query q;
  q.content_hash = entry->content_hash;
  q.signature = &sig;
  q.id = "another-article";
  q.delivery = static_cast<uint16_t>(entry->delivery + 1);
  const DedupeResult copy = index.CheckAndInsert(q, now);
  INGESTD_FUZZ_CHECK(copy.status == DedupeStatus::kExact && copy.duplicate_of == entry->id);
  if (entry->delivery != 0) {
    q.id = entry->id;
    q.delivery = entry->delivery;
    const DedupeResult self = index.CheckAndInsert(q, now);
    INGESTD_FUZZ_CHECK(self.status != DedupeStatus::kExact);
    INGESTD_FUZZ_CHECK(self.duplicate_of != entry->id);
  }
  q.content_hash = Hash128{entry->content_hash.high ^ 1, entry->content_hash.low};
  q.id = "third";
  (void)index.CheckAndInsert(q, now);
  return 0;
}
