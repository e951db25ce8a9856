#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

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
  e.delivery = 0xbeef;
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
  EXPECT_EQ(d->delivery, 0xbeef);
  EXPECT_FALSE(DecodeEntry(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(DecodeEntry(bytes + "x"));
  EXPECT_FALSE(DecodeEntry(""));
  IndexEntry no_id = e;
  no_id.id.clear();
  EXPECT_FALSE(DecodeEntry(EncodeEntry(no_id)));
  // A time a record cannot hold (32-bit unix seconds) is not an entry ingestd wrote.
  for (int64_t t : {int64_t{-1}, int64_t{1} << 32, INT64_MAX}) {
    e.indexed_at = t;
    EXPECT_FALSE(DecodeEntry(EncodeEntry(e))) << t;
  }
}

// Entries written before story sketches (version 1) still restore, without one.
TEST(IndexEntryTest, DecodesVersionOneEntriesWithoutStorySketch) {
  IndexEntry e;
  e.id = "old";
  e.story = 9;
  e.key_count = 1;
  e.keys[0] = 7;
  e.delivery = 5;
  std::string bytes = EncodeEntry(e);  // ends with three zero story counts and the delivery key
  bytes.resize(bytes.size() - 5);
  bytes[0] = 1;
  const auto d = DecodeEntry(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->story, 9u);
  EXPECT_EQ(d->key_count, 0);  // bottom-k ranks then, not band keys
  EXPECT_EQ(d->story_sample_count, 0);
  EXPECT_EQ(d->story_key_count, 0);
  EXPECT_EQ(d->delivery, 0);
}

// Entries written before delivery keys (version 2) restore with delivery 0 (unknown).
TEST(IndexEntryTest, DecodesVersionTwoEntriesWithoutDeliveryKey) {
  IndexEntry e;
  e.id = "v2";
  e.story_sample_count = 1;
  e.story_samples[0] = 9;
  e.delivery = 7;
  std::string bytes = EncodeEntry(e);
  bytes.resize(bytes.size() - 2);
  bytes[0] = 2;
  const auto d = DecodeEntry(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->story_samples[0], 9);
  EXPECT_EQ(d->delivery, 0);
  bytes[0] = 4;  // a version from the future
  EXPECT_FALSE(DecodeEntry(bytes));
}

TEST(IndexEntryTest, DeliveryKeysDifferByPositionAndAreNeverZero) {
  std::set<uint16_t> keys;
  for (int32_t partition = 0; partition < 8; ++partition) {
    for (int64_t offset = 0; offset < 64; ++offset) {
      const uint16_t k = DeliveryKey("articles.raw", partition, offset);
      EXPECT_NE(k, 0);
      EXPECT_EQ(k, DeliveryKey("articles.raw", partition, offset));
      keys.insert(k);
    }
  }
  EXPECT_GE(keys.size(), 500u);  // of 512 positions: 16-bit keys collide rarely
  EXPECT_NE(DeliveryKey("a", 0, 1), DeliveryKey("b", 0, 1));
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

TEST(SignatureTest, InlineDecoderTokenizesLikeUtf8proc) {
  // Pieces of many scripts, marks, digits, punctuation, characters beyond the BMP
  // and invalid bytes, joined at random with and without spaces.
  const std::vector<std::string> pieces = {"river",
                                           "Zürich",
                                           "ﬁve",
                                           "42",
                                           "naïve",
                                           "Ελλάδα",
                                           "москва",
                                           "ёлка",
                                           "القاهرة",
                                           "تهران",
                                           "עברית",
                                           "हिन्दी",
                                           "বাংলা",
                                           "北京",
                                           "東京タワー",
                                           "ひらがな",
                                           "ภาษาไทย",
                                           "ພາສາລາວ",
                                           "ភាសាខ្មែរ",
                                           "မြန်မာ",
                                           "한국어",
                                           "𝐀𝐁",
                                           "𠀀𠀁",
                                           "😀",
                                           "①",
                                           "Ⅻ",
                                           "٣٤",
                                           "—",
                                           "…",
                                           "«»",
                                           ",",
                                           ".",
                                           "\xC3",
                                           "\xE2\x82",
                                           "\xF0\x9F\x98",
                                           "\xC0\xAF",
                                           "\xED\xA0\x80",
                                           "\xF4\x90\x80\x80",
                                           "\xFF",
                                           "\x80",
                                           "a\xCC\x81",
                                           "\xE2\x80\x8B"};
  std::mt19937 rng(7);
  const ShingleOptions options;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      text += pieces[rng() % pieces.size()];
      if (rng() % 3 != 0) text += ' ';
    }
    std::vector<uint32_t> terms;
    std::vector<uint32_t> reference_terms;
    const auto hashes = ShingleHashes(text, options, &terms);
    const auto reference = internal::ShingleHashesUtf8proc(text, options, &reference_terms);
    ASSERT_EQ(hashes, reference) << text;
    ASSERT_EQ(terms, reference_terms) << text;
  }
}

TEST(SignatureTest, RepeatedTermsCountsEveryTermUsedTwiceAscending) {
  std::mt19937 rng(3);
  std::vector<uint32_t> terms;
  std::vector<uint32_t> scratch;
  std::vector<TermCount> out;
  for (int round = 0; round < 50; ++round) {
    std::vector<uint32_t> input;
    const size_t n = rng() % 3000;
    for (size_t i = 0; i < n; ++i) input.push_back(rng() % 4 == 0 ? static_cast<uint32_t>(rng() % 50) : rng());
    std::map<uint32_t, uint32_t> counts;
    for (const uint32_t t : input) ++counts[t];
    std::vector<TermCount> expected;
    for (const auto& [t, c] : counts) {
      if (c >= 2) expected.push_back(TermCount{t, c});
    }
    terms = input;
    RepeatedTerms(terms, scratch, out);
    ASSERT_EQ(out.size(), expected.size());
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].term, expected[i].term);
      EXPECT_EQ(out[i].count, expected[i].count);
    }
    EXPECT_EQ(RepeatedTerms(input).size(), expected.size());
  }
}

TEST(SignatureTest, BottomIsTheSmallestDistinctHashesWhateverTheRepeats) {
  std::mt19937_64 rng(11);
  for (const size_t n : {1u, 150u, 199u, 200u, 201u, 260u, 1000u, 5000u}) {
    for (const uint64_t distinct_values : {uint64_t{40}, uint64_t{170}, uint64_t{1} << 62}) {
      std::vector<uint64_t> hashes;
      for (size_t i = 0; i < n; ++i) hashes.push_back((rng() % distinct_values) * 0x9e3779b97f4a7c15ULL);
      std::vector<uint64_t> expected = hashes;
      std::sort(expected.begin(), expected.end());
      expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
      const size_t all = expected.size();
      if (expected.size() > kQueryValues) expected.resize(kQueryValues);
      const Signature sig = MakeSignatureOf(hashes);
      EXPECT_EQ(sig.bottom, expected) << n << " " << distinct_values;
      if (all < kQueryValues) {
        EXPECT_EQ(sig.shingles, all);
      }
    }
  }
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
