#include "stages/dedupe/index_entry.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace ingestd::dedupe {
namespace {

constexpr uint8_t kVersion = 3;

template <typename T>
void Put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // the wire is little endian, like every host we run on
  out.append(buf, sizeof(T));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T& v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Bytes(std::string& s, size_t n) {
    if (in_.size() < n) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

static_assert(std::endian::native == std::endian::little, "the entry encoding assumes a little-endian host");

}  // namespace

uint16_t DeliveryKey(std::string_view topic, int32_t partition, int64_t offset) {
  unsigned char position[12];
  std::memcpy(position, &partition, 4);
  std::memcpy(position + 4, &offset, 8);
  const uint64_t h = XXH3_64bits_withSeed(position, sizeof position, XXH3_64bits(topic.data(), topic.size()));
  const auto key = static_cast<uint16_t>(h >> 48);
  return key == 0 ? 1 : key;
}

std::string EncodeEntry(const IndexEntry& e) {
  std::string out;
  out.reserve(96 + e.id.size() + e.fingerprint_count * 2 + e.key_count * 4);
  Put<uint8_t>(out, kVersion);
  Put<uint16_t>(out, static_cast<uint16_t>(std::min<size_t>(e.id.size(), 0xffff)));
  out.append(e.id.data(), std::min<size_t>(e.id.size(), 0xffff));
  Put(out, e.content_hash.high);
  Put(out, e.content_hash.low);
  Put(out, e.root_hash.high);
  Put(out, e.root_hash.low);
  Put(out, e.url_hash);
  Put(out, e.story);
  Put(out, e.indexed_at);
  Put(out, e.shingles);
  Put(out, e.tau);
  Put(out, e.fingerprint_count);
  Put(out, e.key_count);
  for (size_t i = 0; i < e.fingerprint_count; ++i) Put(out, e.fingerprints[i]);
  for (size_t i = 0; i < e.key_count; ++i) Put(out, e.keys[i]);
  Put(out, e.story_terms);
  Put(out, e.story_sample_count);
  Put(out, e.story_key_count);
  for (size_t i = 0; i < e.story_sample_count; ++i) Put(out, e.story_samples[i]);
  for (size_t i = 0; i < e.story_key_count; ++i) Put(out, e.story_keys[i]);
  Put(out, e.delivery);
  return out;
}

std::optional<IndexEntry> DecodeEntry(std::string_view bytes) {
  Reader r(bytes);
  IndexEntry e;
  uint8_t version = 0;
  uint16_t id_len = 0;
  // Without an id, a copy of the entry would be reported as a duplicate of "".
  if (!r.Get(version) || version < 1 || version > kVersion || !r.Get(id_len) || id_len == 0 || !r.Bytes(e.id, id_len))
    return std::nullopt;
  if (!r.Get(e.content_hash.high) || !r.Get(e.content_hash.low) || !r.Get(e.root_hash.high) ||
      !r.Get(e.root_hash.low) || !r.Get(e.url_hash) || !r.Get(e.story) || !r.Get(e.indexed_at) || !r.Get(e.shingles) ||
      !r.Get(e.tau) || !r.Get(e.fingerprint_count) || !r.Get(e.key_count)) {
    return std::nullopt;
  }
  // A record keeps its time in 32 bits of unix seconds; anything else is not an
  // entry ingestd wrote (and would overflow the window arithmetic).
  if (e.indexed_at < 0 || e.indexed_at > int64_t{0xffffffff}) return std::nullopt;
  if (e.fingerprint_count > kFingerprints || e.key_count > kKeys) return std::nullopt;
  for (size_t i = 0; i < e.fingerprint_count; ++i) {
    if (!r.Get(e.fingerprints[i])) return std::nullopt;
  }
  for (size_t i = 0; i < e.key_count; ++i) {
    if (!r.Get(e.keys[i])) return std::nullopt;
  }
  // Version 1 keys were bottom-k ranks, not band keys: such an entry serves exact
  // and revision lookups until it leaves the window.
  if (version == 1) {
    e.key_count = 0;
    e.keys = {};
  }
  if (version >= 2) {
    if (!r.Get(e.story_terms) || !r.Get(e.story_sample_count) || !r.Get(e.story_key_count)) return std::nullopt;
    if (e.story_sample_count > kStorySamples || e.story_key_count > kStoryKeys) return std::nullopt;
    for (size_t i = 0; i < e.story_sample_count; ++i) {
      if (!r.Get(e.story_samples[i])) return std::nullopt;
    }
    for (size_t i = 0; i < e.story_key_count; ++i) {
      if (!r.Get(e.story_keys[i])) return std::nullopt;
    }
  }
  if (version >= 3 && !r.Get(e.delivery)) return std::nullopt;
  if (!r.done()) return std::nullopt;
  return e;
}

}  // namespace ingestd::dedupe
