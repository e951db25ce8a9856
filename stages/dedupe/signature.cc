#include "stages/dedupe/signature.h"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <array>

#include "stages/text/script.h"

namespace ingestd::dedupe {
namespace {

enum class TokenClass : uint8_t { kWord, kCjk, kThai };

inline uint64_t Mix(uint64_t x) {  // murmur3 finalizer
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

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
    ring_[count_ % kMax] = token;
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
    for (int i = 0; i < width; ++i) h = Rotl(h, 23) ^ ring_[(count_ - width + i) % kMax] * 0x100000001b3ULL;
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

std::vector<uint64_t> ShingleHashes(std::string_view folded, const ShingleOptions& options,
                                    std::vector<uint32_t>* terms) {
  std::vector<uint64_t> out;
  out.reserve(folded.size() / 5 + 1);
  if (terms) terms->reserve(folded.size() / 5 + 1);
  Shingler shingler(options, out, terms);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(folded.size());
  utf8proc_ssize_t i = 0;
  utf8proc_ssize_t word_start = -1;
  auto end_word = [&](utf8proc_ssize_t end) {
    if (word_start >= 0) {
      shingler.Add(XXH3_64bits(folded.data() + word_start, static_cast<size_t>(end - word_start)), TokenClass::kWord);
      word_start = -1;
    }
  };
  while (i < n) {
    int32_t cp;
    utf8proc_ssize_t len;
    if (p[i] < 0x80) {
      // ASCII, most of most texts: a letter or digit continues the word, anything
      // else ends it (what the general path below decides, without its range tests).
      const uint8_t c = p[i];
      const uint8_t lower = c | 0x20;
      if ((c >= '0' && c <= '9') || (lower >= 'a' && lower <= 'z')) {
        if (word_start < 0) word_start = i;
      } else {
        end_word(i);
      }
      ++i;
      continue;
    }
    len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {  // invalid byte (the runtime repairs input, so this is defensive)
      end_word(i);
      ++i;
      continue;
    }
    if (IsHanOrKana(cp)) {
      end_word(i);
      shingler.Add(Mix(static_cast<uint64_t>(cp) + 0x1000000), TokenClass::kCjk);
    } else if (IsUnspacedBrahmic(cp)) {
      end_word(i);
      // Combining vowels and tone marks count as letters of the run, like the others.
      shingler.Add(Mix(static_cast<uint64_t>(cp) + 0x2000000), TokenClass::kThai);
    } else if (IsWordChar(cp)) {
      if (word_start < 0) word_start = i;
    } else {
      end_word(i);
    }
    i += len;
  }
  end_word(n);
  shingler.Finish();
  return out;
}

std::vector<TermCount> RepeatedTerms(const std::vector<uint32_t>& terms) {
  // Counting in a small open-addressing table (a few KB, in cache, reused by the
  // thread) is several times cheaper than sorting a 6 KB article's thousand terms.
  struct Slot {
    uint32_t term;
    uint32_t count;
  };
  thread_local std::vector<Slot> table;
  thread_local std::vector<uint32_t> used;
  size_t capacity = 64;
  while (capacity < terms.size() * 2) capacity *= 2;
  if (table.size() < capacity) table.assign(capacity, Slot{0, 0});
  const size_t mask = capacity - 1;
  used.clear();
  size_t repeated = 0;
  for (const uint32_t t : terms) {
    size_t i = (static_cast<uint64_t>(t) * 0x9e3779b97f4a7c15ULL) >> 40 & mask;
    while (table[i].count != 0 && table[i].term != t) i = (i + 1) & mask;
    if (table[i].count == 0) {
      table[i].term = t;
      used.push_back(static_cast<uint32_t>(i));
    }
    if (++table[i].count == 2) ++repeated;
  }
  std::vector<TermCount> out;
  out.reserve(repeated);
  for (const uint32_t i : used) {
    if (table[i].count >= 2) out.push_back(TermCount{table[i].term, table[i].count});
    table[i].count = 0;  // leave the table empty for the next call
  }
  std::sort(out.begin(), out.end(), [](const TermCount& a, const TermCount& b) { return a.term < b.term; });
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

Signature MakeSignature(std::vector<uint64_t> hashes) {
  Signature sig;
  FillBands(hashes, sig);
  const size_t total = hashes.size();
  // A partial selection keeps this linear: sorting every shingle of a 6 KB text
  // would cost more than the rest of the stage. Take a margin over kQueryValues
  // for repeats, then sort and unique the small part; repeat with a larger part
  // for texts made mostly of repeated lines. nth_element only reorders, so the
  // retries see every hash.
  for (size_t take = kQueryValues + kQueryValues / 4;; take *= 4) {
    if (take >= total) {
      std::sort(hashes.begin(), hashes.end());
      hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
      sig.shingles = static_cast<uint32_t>(hashes.size());
      if (hashes.size() > kQueryValues) hashes.resize(kQueryValues);
      sig.bottom = std::move(hashes);
      return sig;
    }
    std::nth_element(hashes.begin(), hashes.begin() + static_cast<long>(take), hashes.end());
    std::vector<uint64_t> part(hashes.begin(), hashes.begin() + static_cast<long>(take));
    std::sort(part.begin(), part.end());
    part.erase(std::unique(part.begin(), part.end()), part.end());
    if (part.size() >= kQueryValues) {
      part.resize(kQueryValues);
      // KMV: the k-th smallest of n uniform values is about k / (n + 1) of the range.
      const double kth = static_cast<double>(part.back()) / 18446744073709551616.0;
      const double n = static_cast<double>(kQueryValues - 1) / std::max(kth, 1e-12);
      sig.shingles = static_cast<uint32_t>(std::clamp(n, static_cast<double>(kQueryValues), 4.0e9));
      sig.bottom = std::move(part);
      return sig;
    }
  }
}

}  // namespace ingestd::dedupe
