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
  e.story_terms = 14;
  e.story_sample_count = 2;
  e.story_samples[0] = 501;
  e.story_samples[1] = 502;
  e.story_key_count = 1;
  e.story_keys[0] = 0xabcdef01;
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
  EXPECT_EQ(d->story_terms, 14);
  EXPECT_EQ(d->story_samples, e.story_samples);
  EXPECT_EQ(d->story_keys, e.story_keys);
  EXPECT_FALSE(DecodeEntry(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(DecodeEntry(bytes + "x"));
  EXPECT_FALSE(DecodeEntry(""));
}

// Entries written before story sketches (version 1) still restore, without one.
TEST(IndexEntryTest, DecodesVersionOneEntriesWithoutStorySketch) {
  IndexEntry e;
  e.id = "old";
  e.story = 9;
  e.key_count = 1;
  e.keys[0] = 7;
  std::string bytes = EncodeEntry(e);  // ends with three zero story counts
  bytes.resize(bytes.size() - 3);
  bytes[0] = 1;
  const auto d = DecodeEntry(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->story, 9u);
  EXPECT_EQ(d->key_count, 0);  // bottom-k ranks then, not band keys
  EXPECT_EQ(d->story_sample_count, 0);
  EXPECT_EQ(d->story_key_count, 0);
}

TEST(SignatureTest, KeepsTermsTheTextRepeatsWithTheirCounts) {
  std::vector<uint32_t> terms;
  (void)ShingleHashes("alpha beta gamma alpha delta alpha beta", ShingleOptions{}, &terms);
  ASSERT_EQ(terms.size(), 7u);
  const auto repeated = RepeatedTerms(terms);
  ASSERT_EQ(repeated.size(), 2u);  // alpha x3, beta x2
  EXPECT_LT(repeated[0].term, repeated[1].term);
  EXPECT_EQ(repeated[0].count + repeated[1].count, 5u);
  // Han: two characters a term.
  terms.clear();
  (void)ShingleHashes("北京大学北京", ShingleOptions{}, &terms);
  EXPECT_EQ(terms.size(), 5u);
  EXPECT_EQ(RepeatedTerms(terms).size(), 1u);  // 北京
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
