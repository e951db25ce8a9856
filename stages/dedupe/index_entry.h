// What one indexed article leaves in the dedupe index, in a compact form that the
// snapshot file and the shared index log carry (about 260 bytes encoded).
//
// An entry is self-contained: a replica that applies it can answer exact, near
// and revision lookups against it without the article's text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stages/article.h"

namespace ingestd::dedupe {

// Sketch sizes are part of the memory layout and the wire format, hence constants:
// 64 fingerprints verify containment to about +-0.05 at 0.8; 12 LSH band keys
// (signature.h: 8 bands of one row, 4 of two) find a copy that keeps 30% of the
// original with 94% probability from the one-row bands alone (1 - 0.7^8), more
// with the pairs when the copy is near-complete.
inline constexpr size_t kFingerprints = 64;
inline constexpr size_t kKeys = 12;
// Story sketch: 16-bit fingerprints of the 12 smallest distinctive terms verify a
// story link (a rewrite shares half or more of them, see dedupe_index.h); the 3
// smallest are story LSH keys.
inline constexpr size_t kStorySamples = 12;
inline constexpr size_t kStoryKeys = 3;

struct IndexEntry {
  std::string id;
  Hash128 content_hash;
  Hash128 root_hash;       // content hash of the group's earliest article; zero for a root
  uint64_t url_hash = 0;   // XXH3-64 of the canonical URL; 0 without one
  uint64_t story = 0;      // story id (see DedupeIndex)
  int64_t indexed_at = 0;  // unix seconds
  uint32_t shingles = 0;   // distinct shingles of the text
  uint32_t tau = 0;        // rank of the last fingerprinted hash (0xffffffff: all of them)
  uint8_t fingerprint_count = 0;
  uint8_t key_count = 0;
  std::array<uint16_t, kFingerprints> fingerprints{};  // ascending
  std::array<uint32_t, kKeys> keys{};                  // LSH band keys (those stored: a full key is skipped)
  uint8_t story_terms = 0;                             // distinctive terms of the text (at most 255)
  uint8_t story_sample_count = 0;
  uint8_t story_key_count = 0;
  std::array<uint16_t, kStorySamples> story_samples{};  // fingerprints of the smallest distinctive terms
  std::array<uint32_t, kStoryKeys> story_keys{};        // story LSH keys (distinctive terms)
  uint16_t delivery = 0;                                // DeliveryKey of the input record it came from; 0: unknown
};

// 16 bits of the input position (topic, partition, offset) an article was consumed
// from, never 0: the same record delivered again (after a crash or a rebalance)
// carries the same key, a copy published again by a scraper almost never does.
[[nodiscard]] uint16_t DeliveryKey(std::string_view topic, int32_t partition, int64_t offset);

// Binary encoding, little endian, versioned by its first byte. Version 1 (before
// band keys and story sketches) still decodes, without LSH or story keys; version 2
// (before delivery keys) with delivery 0.
[[nodiscard]] std::string EncodeEntry(const IndexEntry& entry);
[[nodiscard]] std::optional<IndexEntry> DecodeEntry(std::string_view bytes);

// Where an indexed entry is shared with other replicas (a compacted Kafka topic in
// production, see daemon/dedupe_log_kafka.h). Implementations must be thread-safe:
// worker threads publish; they must not block for long (queue, do not wait).
class IndexLog {
 public:
  virtual ~IndexLog() = default;
  virtual void Publish(const IndexEntry& entry) = 0;
  // The entry of `id` left the window: remove it from the shared log (tombstone).
  virtual void Expire(const std::string& id) = 0;
};

}  // namespace ingestd::dedupe
