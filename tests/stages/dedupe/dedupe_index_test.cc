#include <gtest/gtest.h>

#include <map>
#include <random>

#include "stages/dedupe/flat_multimap.h"
#include "stages/dedupe/index_entry.h"
#include "stages/dedupe/signature.h"

namespace ingestd::dedupe {
namespace {

TEST(FlatMultiMapTest, MatchesAReferenceMultimapUnderInsertsAndErases) {
  FlatMultiMap<uint32_t> map;
  std::multimap<uint32_t, uint32_t> reference;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 200000; ++step) {
    const uint32_t key = static_cast<uint32_t>(rng() % 5000);  // many collisions and repeated keys
    if (rng() % 3 != 0 || reference.empty()) {
      const uint32_t value = static_cast<uint32_t>(rng() % 100000);
      map.Insert(key, value);
      reference.emplace(key, value);
    } else {
      auto it = reference.lower_bound(key);
      if (it == reference.end()) it = reference.begin();
      ASSERT_TRUE(map.Erase(it->first, it->second));
      reference.erase(it);
    }
  }
  ASSERT_EQ(map.size(), reference.size());
  for (uint32_t key = 0; key < 5000; ++key) {
    std::multiset<uint32_t> got, want;
    map.ForEach(key, [&](uint32_t v) { got.insert(v); });
    auto [b, e] = reference.equal_range(key);
    for (auto it = b; it != e; ++it) want.insert(it->second);
    ASSERT_EQ(got, want) << "key " << key;
  }
}

TEST(IndexEntryTest, RoundTripsThroughItsEncoding) {
  IndexEntry e;
  e.id = "u-0123456789abcdef";
  e.content_hash = {1, 2};
  e.root_hash = {3, 4};
  e.url_hash = 5;
  e.story = 6;
  e.indexed_at = 1700000000;
  e.shingles = 900;
  e.tau = 12345;
  e.fingerprint_count = 3;
  e.fingerprints[0] = 10;
  e.fingerprints[1] = 20;
  e.fingerprints[2] = 30;
  e.key_count = 2;
  e.keys[0] = 77;
  e.keys[1] = 88;
  const std::string bytes = EncodeEntry(e);
  const auto d = DecodeEntry(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->id, e.id);
  EXPECT_EQ(d->content_hash, e.content_hash);
  EXPECT_EQ(d->root_hash, e.root_hash);
  EXPECT_EQ(d->url_hash, 5u);
  EXPECT_EQ(d->story, 6u);
  EXPECT_EQ(d->indexed_at, 1700000000);
  EXPECT_EQ(d->fingerprints, e.fingerprints);
  EXPECT_EQ(d->keys, e.keys);
  EXPECT_FALSE(DecodeEntry(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(DecodeEntry(bytes + "x"));
  EXPECT_FALSE(DecodeEntry(""));
}

TEST(SignatureTest, ShinglesWordsInThreesAndHanInFours) {
  const ShingleOptions options;
  EXPECT_EQ(ShingleHashes("one two three four five", options).size(), 3u);
  EXPECT_EQ(ShingleHashes("政府官员周二表示", options).size(), 5u);  // 8 characters, width 4
  EXPECT_EQ(ShingleHashes("two words", options).size(), 1u);         // shorter than a shingle: one
  EXPECT_TRUE(ShingleHashes("  ...  ", options).empty());
}

TEST(SignatureTest, KeepsTheSmallestDistinctHashesAndCountsShingles) {
  std::vector<uint64_t> hashes;
  for (uint64_t i = 0; i < 5000; ++i) hashes.push_back((i * 0x9e3779b97f4a7c15ULL) ^ (i >> 3));
  const auto repeated = hashes;
  hashes.insert(hashes.end(), repeated.begin(), repeated.end());  // every shingle twice
  const Signature sig = MakeSignature(hashes);
  ASSERT_EQ(sig.bottom.size(), kQueryValues);
  EXPECT_TRUE(std::is_sorted(sig.bottom.begin(), sig.bottom.end()));
  EXPECT_TRUE(std::adjacent_find(sig.bottom.begin(), sig.bottom.end()) == sig.bottom.end());
  EXPECT_NEAR(sig.shingles, 5000, 5000 * 0.25);
  const Signature small = MakeSignature(std::vector<uint64_t>{5, 3, 5, 9});
  EXPECT_EQ(small.shingles, 3u);
  EXPECT_EQ(small.bottom, (std::vector<uint64_t>{3, 5, 9}));
}

}  // namespace
}  // namespace ingestd::dedupe
