#include "stages/dedupe/signature.h"

#include <utf8proc.h>
// Inlined: a word is a few bytes, where the call would cost as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>

#include "stages/text/script.h"
#include "stages/text/utf8.h"

namespace ingestd::dedupe {
namespace {

enum class TokenClass : uint8_t { kWord, kCjk, kThai };

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Keeps the last tokens and emits one shingle per token once enough are seen.
class Shingler {
 public:
  Shingler(const ShingleOptions& options, std::vector<uint64_t>& out, std::vector<uint32_t>* terms)
      : out_(out), terms_(terms) {
    widths_[0] = std::clamp(options.word_width, 1, kMax);
    widths_[1] = std::clamp(options.cjk_width, 1, kMax);
    widths_[2] = std::clamp(options.thai_width, 1, kMax);
  }

  void Add(uint64_t token, TokenClass cls) {
    ring_[count_ % kMax] = token * 0x100000001b3ULL;  // what Combine mixes in, computed once
    ++count_;
    const int width = widths_[static_cast<int>(cls)];
    if (count_ >= static_cast<size_t>(width)) out_.push_back(Combine(width));
    if (terms_) {
      run_ = cls == run_class_ ? run_ + 1 : 1;
      run_class_ = cls;
      // A term is one word, or the characters of about one word in scripts without spaces.
      const int term_width = cls == TokenClass::kWord ? 1 : cls == TokenClass::kCjk ? 2 : 4;
      if (run_ >= term_width) terms_->push_back(static_cast<uint32_t>(Combine(term_width) >> 32));
    }
  }

  // A text shorter than one shingle still gets one (of all its tokens).
  void Finish() {
    if (out_.empty() && count_ > 0) out_.push_back(Combine(static_cast<int>(count_)));
  }

 private:
  static constexpr int kMax = 8;

  uint64_t Combine(int width) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(width);
    for (int i = 0; i < width; ++i) h = Rotl(h, 23) ^ ring_[(count_ - width + i) % kMax];
    return Mix(h);
  }

  std::vector<uint64_t>& out_;
  std::vector<uint32_t>* terms_;
  TokenClass run_class_ = TokenClass::kWord;
  int run_ = 0;
  std::array<int, 3> widths_{};
  std::array<uint64_t, kMax> ring_{};
  size_t count_ = 0;
};

}  // namespace

namespace {

// ASCII letters and digits; false for every byte >= 0x80.
constexpr std::array<bool, 256> kAsciiWord = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 128; ++c) t[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return t;
}();

// The tokenizer: words of word characters, and one token per character of the
// scripts without spaces. Decode(p, n, cp) returns the length of the multi-byte
// character at p (p[0] >= 0x80), or 0 for an invalid byte; IsWord(cp) classes it.
// kTwoByteRuns reads the rest of a word of two-byte characters in a loop of its own
// (the production tokenizer; the utf8proc one for tests goes character by character).
template <bool kTwoByteRuns, typename Decode, typename IsWord>
void Tokenize(std::string_view folded, Shingler& shingler, Decode decode, IsWord is_word) {
  const auto* p = reinterpret_cast<const unsigned char*>(folded.data());
  const size_t n = folded.size();
  size_t i = 0;
  size_t word_start = 0;
  bool in_word = false;
  auto end_word = [&](size_t end) {
    if (in_word) {
      shingler.Add(XXH3_64bits(folded.data() + word_start, end - word_start), TokenClass::kWord);
      in_word = false;
    }
  };
  while (i < n) {
    if (p[i] < 0x80) {
      // ASCII, most of most texts: a letter or digit continues the word, anything
      // else ends it (what the general path below decides, without its range tests).
      if (kAsciiWord[p[i]]) {
        if (!in_word) {
          word_start = i;
          in_word = true;
        }
        ++i;
        while (i < n && kAsciiWord[p[i]]) ++i;  // the rest of the word's ASCII letters
      } else {
        end_word(i);
        ++i;
      }
      continue;
    }
    int32_t cp = 0;
    const size_t len = decode(p + i, n - i, cp);
    if (len == 0) {  // invalid byte (the runtime repairs input, so this is defensive)
      end_word(i);
      ++i;
      continue;
    }
    // Both unspaced classes start at U+0E00: one test passes the two-byte characters
    // (Latin with accents, Greek, Cyrillic, Arabic, Hebrew), most non-ASCII text.
    if (cp >= 0x0E00 && IsHanOrKana(cp)) {
      end_word(i);
      shingler.Add(Mix(static_cast<uint64_t>(cp) + 0x1000000), TokenClass::kCjk);
    } else if (cp >= 0x0E00 && IsUnspacedBrahmic(cp)) {
      end_word(i);
      // Combining vowels and tone marks count as letters of the run, like the others.
      shingler.Add(Mix(static_cast<uint64_t>(cp) + 0x2000000), TokenClass::kThai);
    } else if (is_word(cp)) {
      if (!in_word) {
        word_start = i;
        in_word = true;
      }
      if constexpr (kTwoByteRuns) {
        // Two-byte characters (below U+0800) are never Han, kana or unspaced Brahmic:
        // only is_word decides whether they continue the word.
        i += len;
        for (int32_t next = 0; DecodeTwoByteUtf8(p + i, n - i, next) && is_word(next);) i += 2;
        continue;
      }
    } else {
      end_word(i);
    }
    i += len;
  }
  end_word(n);
  shingler.Finish();
}

}  // namespace

void ShingleHashes(std::string_view folded, const ShingleOptions& options, std::vector<uint64_t>& out,
                   std::vector<uint32_t>* terms) {
  out.clear();
  out.reserve(folded.size() / 5 + 1);
  if (terms) {
    terms->clear();
    terms->reserve(folded.size() / 5 + 1);
  }
  Shingler shingler(options, out, terms);
  const auto& bmp = script_internal::WordCharBmp();  // looked up once, not per character
  Tokenize<true>(
      folded, shingler, [](const unsigned char* p, size_t n, int32_t& cp) { return DecodeUtf8(p, n, cp); },
      [&bmp](int32_t cp) { return IsWordChar(cp, bmp); });
}

std::vector<uint64_t> ShingleHashes(std::string_view folded, const ShingleOptions& options,
                                    std::vector<uint32_t>* terms) {
  std::vector<uint64_t> out;
  std::vector<uint32_t> local;
  ShingleHashes(folded, options, out, terms ? &local : nullptr);
  if (terms) terms->insert(terms->end(), local.begin(), local.end());
  return out;
}

namespace internal {

std::vector<uint64_t> ShingleHashesUtf8proc(std::string_view folded, const ShingleOptions& options,
                                            std::vector<uint32_t>* terms) {
  std::vector<uint64_t> out;
  Shingler shingler(options, out, terms);
  Tokenize<false>(
      folded, shingler,
      [](const unsigned char* p, size_t n, int32_t& cp) -> size_t {
        const utf8proc_ssize_t len = utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(n), &cp);
        return len <= 0 ? 0 : static_cast<size_t>(len);
      },
      [](int32_t cp) { return IsWordCharSlow(cp); });
  return out;
}

}  // namespace internal

void RepeatedTerms(std::vector<uint32_t>& terms, std::vector<uint32_t>& scratch, std::vector<TermCount>& out) {
  // Sort the terms (LSD radix, four passes of 8 bits: no comparisons, no probes,
  // the same few instructions for every term), then count the runs.
  out.clear();
  const size_t n = terms.size();
  if (n < 2) return;
  scratch.resize(n);
  std::array<std::array<uint32_t, 256>, 4> counts{};
  for (const uint32_t t : terms) {
    ++counts[0][t & 0xff];
    ++counts[1][(t >> 8) & 0xff];
    ++counts[2][(t >> 16) & 0xff];
    ++counts[3][t >> 24];
  }
  uint32_t* from = terms.data();
  uint32_t* to = scratch.data();
  for (int pass = 0; pass < 4; ++pass) {
    auto& c = counts[static_cast<size_t>(pass)];
    const int shift = pass * 8;
    uint32_t sum = 0;
    for (auto& v : c) {
      const uint32_t x = v;
      v = sum;
      sum += x;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint32_t t = from[i];
      to[c[(t >> shift) & 0xff]++] = t;
    }
    std::swap(from, to);
  }
  // Four passes: the sorted terms are back in `terms`. Count the runs without a
  // branch per term: every step writes the current run, and keeps it (advances)
  // only where a run of at least two ends.
  out.resize(n / 2 + 1);
  size_t kept = 0;
  size_t start = 0;
  for (size_t i = 1; i < n; ++i) {
    const bool ends = terms[i] != terms[i - 1];
    const size_t length = i - start;
    out[kept] = TermCount{terms[i - 1], static_cast<uint32_t>(length)};
    kept += (ends && length >= 2) ? 1 : 0;
    start = ends ? i : start;
  }
  out[kept] = TermCount{terms[n - 1], static_cast<uint32_t>(n - start)};
  kept += n - start >= 2 ? 1 : 0;
  out.resize(kept);
}

std::vector<TermCount> RepeatedTerms(const std::vector<uint32_t>& terms) {
  std::vector<uint32_t> copy = terms;
  std::vector<uint32_t> scratch;
  std::vector<TermCount> out;
  RepeatedTerms(copy, scratch, out);
  return out;
}

namespace {

void FillBands(const std::vector<uint64_t>& hashes, Signature& sig) {
  if (hashes.empty()) return;
  std::array<uint32_t, kBins> mins;
  mins.fill(0xffffffffu);
  std::array<bool, kBins> seen{};
  for (const uint64_t h : hashes) {
    const size_t bin = static_cast<size_t>(h >> 60);
    mins[bin] = std::min(mins[bin], static_cast<uint32_t>(h));
    seen[bin] = true;
  }
  std::array<uint64_t, kBins> values{};
  for (size_t b = 0; b < kBins; ++b) {
    size_t d = 0;
    while (!seen[(b + d) % kBins]) ++d;  // some bin is non-empty
    values[b] = mins[(b + d) % kBins] | static_cast<uint64_t>(d) << 32;
  }
  // Bands 0-7: one bin each; bands 8-11: two bins each.
  for (size_t band = 0; band < kBands; ++band) {
    uint64_t key = Mix(0x9e3779b97f4a7c15ULL + band);
    if (band < 8) {
      key = Mix(key ^ values[band]);
    } else {
      const size_t first = 8 + (band - 8) * 2;
      key = Mix(Mix(key ^ values[first]) ^ values[first + 1]);
    }
    sig.bands[band] = static_cast<uint32_t>(key >> 32);
  }
  sig.band_count = static_cast<uint8_t>(kBands);
}

}  // namespace

Signature MakeSignatureOf(std::vector<uint64_t>& hashes) {
  Signature sig;
  FillBands(hashes, sig);
  const size_t total = hashes.size();
  // A partial selection keeps this linear: sorting every shingle of a 6 KB text
  // would cost more than the rest of the stage. Take a margin over kQueryValues
  // for repeats, then sort the small part and keep its distinct values; repeat
  // with a larger part for texts made mostly of repeated lines. nth_element and
  // sort only reorder, so the retries see every hash.
  auto distinct_prefix = [&](const uint64_t* sorted, size_t take, size_t limit) {
    sig.bottom.clear();
    sig.bottom.reserve(std::min(take, limit));
    size_t distinct = 0;
    for (size_t i = 0; i < take; ++i) {
      if (i > 0 && sorted[i] == sorted[i - 1]) continue;
      if (distinct < limit) sig.bottom.push_back(sorted[i]);
      ++distinct;
    }
    return distinct;
  };
  auto estimate = [&] {
    // KMV: the k-th smallest of n uniform values is about k / (n + 1) of the range.
    const double kth = static_cast<double>(sig.bottom.back()) / 18446744073709551616.0;
    const double n = static_cast<double>(kQueryValues - 1) / std::max(kth, 1e-12);
    sig.shingles = static_cast<uint32_t>(std::clamp(n, static_cast<double>(kQueryValues), 4.0e9));
  };
  constexpr size_t kFirstTake = kQueryValues + kQueryValues / 4;
  if (kFirstTake < total) {
    // The hashes are uniform over 64 bits: those below a threshold that about 1.2 x
    // kFirstTake of them pass are gathered without a branch, and when at least
    // kFirstTake passed they hold the kFirstTake smallest, the same part that the
    // selection below would take, in 5 times fewer values.
    thread_local std::vector<uint64_t> low;
    const double share = 1.2 * static_cast<double>(kFirstTake) / static_cast<double>(total);
    if (share < 1.0) {
      const auto threshold = static_cast<uint64_t>(share * 18446744073709551616.0);
      low.resize(total);
      size_t k = 0;
      for (const uint64_t h : hashes) {
        low[k] = h;
        k += h < threshold ? 1 : 0;
      }
      if (k >= kFirstTake) {
        // Sorted by a counting pass over 256 buckets of [0, threshold) and an
        // insertion sort of what is then nearly in order (about one value a bucket).
        thread_local std::vector<uint64_t> sorted;
        sorted.resize(k);
        const int shift = std::max(0, 64 - std::countl_zero(threshold) - 8);
        std::array<uint32_t, 257> starts{};
        for (size_t i = 0; i < k; ++i) ++starts[(low[i] >> shift) + 1];
        for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
        for (size_t i = 0; i < k; ++i) sorted[starts[low[i] >> shift]++] = low[i];
        for (size_t i = 1; i < k; ++i) {
          const uint64_t v = sorted[i];
          size_t j = i;
          for (; j > 0 && sorted[j - 1] > v; --j) sorted[j] = sorted[j - 1];
          sorted[j] = v;
        }
        if (distinct_prefix(sorted.data(), kFirstTake, kQueryValues) >= kQueryValues) {
          estimate();
          return sig;
        }
      }
    }
  }
  for (size_t take = kFirstTake;; take *= 4) {
    if (take >= total) {
      std::sort(hashes.begin(), hashes.end());
      sig.shingles = static_cast<uint32_t>(distinct_prefix(hashes.data(), total, kQueryValues));
      return sig;
    }
    std::nth_element(hashes.begin(), hashes.begin() + static_cast<long>(take), hashes.end());
    std::sort(hashes.begin(), hashes.begin() + static_cast<long>(take));
    if (distinct_prefix(hashes.data(), take, kQueryValues) >= kQueryValues) {
      estimate();
      return sig;
    }
  }
}

Signature MakeSignature(std::vector<uint64_t> hashes) { return MakeSignatureOf(hashes); }

}  // namespace ingestd::dedupe
