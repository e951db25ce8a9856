// Text -> signature for the dedupe index: shingles of the folded text, hashed to
// 64 bits, and the smallest distinct hashes (a bottom-k MinHash sketch).
//
// Shingles: spaced scripts use runs of 3 words; scripts written without spaces
// use runs of characters (Han and kana: 4, Thai, Lao, Khmer, Myanmar: 8, which
// is about two words in each). Each shingle's width follows the class of its
// last token, so mixed text (Latin names in Chinese text) shingles sensibly.
//
// Story terms (for story_id, see dedupe_index.h): words for spaced scripts, two
// characters for Han and kana, four for Thai-like scripts (about one word each),
// hashed to 32 bits; RepeatedTerms() keeps those a text uses at least twice (the
// names and numbers a story is about recur; passing words do not).
//
// Every hash h is read three ways (independent bits of one well-mixed value):
// its rank (h >> 32) orders the sketch, its key (the rank) is what the LSH table
// stores, and its fingerprint (h & 0xffff) is what verification compares.
// Thread-safe, no state.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ingestd::dedupe {

// The murmur3 finalizer: spreads a 64-bit value over all bits. Band keys and the
// CJK/Thai character hashes are built with it (also by bench/dedupe_lsh_compare).
inline uint64_t Mix(uint64_t x) {  // murmur3 finalizer
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

struct ShingleOptions {
  int word_width = 3;
  int cjk_width = 4;
  int thai_width = 8;
};

// All shingle hashes of `folded`, in text order, with repeats; when `terms` is
// given it receives the story term of every token (see above), with repeats.
[[nodiscard]] std::vector<uint64_t> ShingleHashes(std::string_view folded, const ShingleOptions& options,
                                                  std::vector<uint32_t>* terms = nullptr);
// The same into the caller's buffers (both cleared first), so a thread can reuse them.
void ShingleHashes(std::string_view folded, const ShingleOptions& options, std::vector<uint64_t>& out,
                   std::vector<uint32_t>* terms);

namespace internal {
// ShingleHashes through utf8proc for every non-ASCII character (utf8proc_iterate
// and the category lookup), the implementation before the inline decoder and the
// word-character table; kept for the test that both tokenize alike.
[[nodiscard]] std::vector<uint64_t> ShingleHashesUtf8proc(std::string_view folded, const ShingleOptions& options,
                                                          std::vector<uint32_t>* terms);
}  // namespace internal

struct TermCount {
  uint32_t term = 0;
  uint32_t count = 0;
};
// The distinct terms that occur at least twice, with their counts, ascending by term.
[[nodiscard]] std::vector<TermCount> RepeatedTerms(const std::vector<uint32_t>& terms);
// The same without allocating once the buffers have grown: sorts `terms` in place
// (radix sort through `scratch`) and fills `out`.
void RepeatedTerms(std::vector<uint32_t>& terms, std::vector<uint32_t>& scratch, std::vector<TermCount>& out);

// LSH band keys (banded one-permutation MinHash, two layouts): the shingles are
// spread over 16 bins by their hash's top 4 bits and each bin keeps its minimum
// low 32 bits (an empty bin borrows the next non-empty one's: rotation
// densification). Bins 0-7 are 8 bands of one row, for low Jaccard (a copy that
// keeps a quarter of its original collides in a band with probability 0.25);
// bins 8-15 are 4 bands of two rows, which only near-equal texts share (probability
// J^2). bench/dedupe_lsh_compare.cc measured this against the other layouts and the
// earlier bottom-k keys at the same 12 keys an article (docs/benchmarks.md).
inline constexpr size_t kBins = 16;
inline constexpr size_t kBands = 12;

struct Signature {
  // The smallest distinct shingle hashes, ascending; at most kQueryValues.
  std::vector<uint64_t> bottom;
  // Distinct shingles: exact when they all fit in `bottom`, else estimated from
  // the k-th smallest value (KMV estimator, ~8% relative error at k = 160).
  uint32_t shingles = 0;
  // LSH band keys (see kBands); zero bands when the text has no shingle.
  std::array<uint32_t, kBands> bands{};
  uint8_t band_count = 0;
};

inline constexpr size_t kQueryValues = 160;

[[nodiscard]] Signature MakeSignature(std::vector<uint64_t> hashes);
// The same from the caller's buffer, which it reorders.
[[nodiscard]] Signature MakeSignatureOf(std::vector<uint64_t>& hashes);
[[nodiscard]] inline Signature MakeSignature(std::string_view folded, const ShingleOptions& options) {
  return MakeSignature(ShingleHashes(folded, options));
}

[[nodiscard]] inline uint32_t Rank(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
[[nodiscard]] inline uint16_t Fingerprint(uint64_t h) { return static_cast<uint16_t>(h); }

}  // namespace ingestd::dedupe
