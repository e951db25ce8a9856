#include "stages/normalize/boilerplate_learner.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <istream>
#include <list>
#include <mutex>
#include <ostream>
#include <unordered_map>

namespace ingestd {
namespace {

constexpr char kMagic[8] = {'I', 'N', 'G', 'B', 'L', 'R', 'N', '1'};

uint32_t Seconds(BoilerplateLearner::TimePoint t) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 0, UINT32_MAX));
}

template <typename T>
void Put(std::ostream& out, const T& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
bool Get(std::istream& in, T& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof(v)));
}

}  // namespace

struct BoilerplateLearner::Source {
  struct Entry {
    float score = 0;  // decayed count of articles holding the line, as of `at`
    uint32_t at = 0;
  };
  float articles = 0;  // decayed count of articles, as of `at`
  uint32_t at = 0;
  std::array<uint64_t, 32> recent{};  // fingerprints of the last articles counted (exact re-sends)
  uint32_t next_recent = 0;
  std::unordered_map<uint64_t, Entry> lines;
  std::list<uint64_t>::iterator lru;
};

struct BoilerplateLearner::Shard {
  std::mutex mu;
  std::unordered_map<uint64_t, Source> sources;
  std::list<uint64_t> lru;  // front: most recently seen
};

BoilerplateLearner::BoilerplateLearner(const BoilerplateLearnerConfig& config)
    : config_(config), half_life_seconds_(static_cast<double>(config.half_life_hours) * 3600.0) {
  const size_t shards = static_cast<size_t>(std::clamp<int64_t>(config.max_sources, 1, 16));
  sources_per_shard_ =
      static_cast<size_t>((config.max_sources + static_cast<int64_t>(shards) - 1) / static_cast<int64_t>(shards));
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

BoilerplateLearner::~BoilerplateLearner() = default;

namespace {

// What LineKey does with each byte value.
struct KeyByte {
  enum Class : uint8_t { kSpace, kDigit, kOther };
  char out;
  Class cls;
};

constexpr std::array<KeyByte, 256> MakeKeyBytes() {
  std::array<KeyByte, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c == ' ' || c == '\t') {
      t[c] = {static_cast<char>(c), KeyByte::kSpace};
    } else if (c >= '0' && c <= '9') {
      t[c] = {'0', KeyByte::kDigit};
    } else {
      t[c] = {static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c), KeyByte::kOther};
    }
  }
  return t;
}
constexpr std::array<KeyByte, 256> kKeyBytes = MakeKeyBytes();

}  // namespace

uint64_t BoilerplateLearner::LineKey(std::string_view line) {
  // Template lines are short: the number- and case-blind form is built for the
  // first 160 bytes; a longer line adds a hash of its raw rest.
  constexpr size_t kBlind = 160;
  // Zeroed only to quiet GCC's -Wmaybe-uninitialized: the hash reads buf[0, n), all written.
  char buf[kBlind] = {};
  size_t n = 0;
  const size_t head = std::min(line.size(), kBlind);
  // Without branches: every byte is written at n (lowercased, a digit as '0'), and n
  // moves on unless the byte is a space or a digit right after a digit ("7" and
  // "12" alike). Whether the last kept byte was a digit stays in a register.
  bool last_digit = false;
  for (size_t i = 0; i < head; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const KeyByte k = kKeyBytes[c];
    buf[n] = k.out;
    n += k.cls == KeyByte::kOther || (k.cls == KeyByte::kDigit && !last_digit);
    last_digit = k.cls == KeyByte::kSpace ? last_digit : k.cls == KeyByte::kDigit;
  }
  uint64_t key = XXH3_64bits(buf, n);
  if (line.size() > kBlind) key ^= XXH3_64bits(line.data() + kBlind, line.size() - kBlind) * 0x9E3779B97F4A7C15ull;
  return key;
}

BoilerplateLearner::Shard& BoilerplateLearner::ShardOf(uint64_t source_key) const {
  return *shards_[(source_key >> 32) % shards_.size()];
}

double BoilerplateLearner::Decay(double score, uint32_t then, uint32_t now) const {
  if (now <= then) return score;
  return score * std::exp2(-static_cast<double>(now - then) / half_life_seconds_);
}

std::vector<bool> BoilerplateLearner::Observe(std::string_view source, const std::vector<Line>& lines, TimePoint when) {
  std::vector<bool> result(lines.size(), false);
  const uint64_t source_key = XXH3_64bits(source.data(), source.size());
  const uint32_t now = Seconds(when);
  Shard& shard = ShardOf(source_key);
  std::lock_guard<std::mutex> lock(shard.mu);

  auto it = shard.sources.find(source_key);
  if (it == shard.sources.end()) {
    if (shard.sources.size() >= sources_per_shard_) {
      shard.sources.erase(shard.lru.back());
      shard.lru.pop_back();
    }
    shard.lru.push_front(source_key);
    it = shard.sources.emplace(source_key, Source{}).first;
    it->second.lru = shard.lru.begin();
    it->second.at = now;
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
  }
  Source& src = it->second;
  const double articles = Decay(src.articles, src.at, now);
  const double needed = std::max(static_cast<double>(config_.min_articles) * 0.95, config_.min_share * articles);

  // Paragraph-sized lines tell articles apart; template lines are mostly short.
  constexpr uint32_t kParagraphBytes = 80;
  size_t paragraphs = 0;
  size_t known_paragraphs = 0;
  uint64_t fingerprint = 0x9E3779B97F4A7C15ull;
  std::vector<double> scores(lines.size(), 0.0);
  for (size_t i = 0; i < lines.size(); ++i) {
    fingerprint = (fingerprint ^ lines[i].key) * 0x100000001B3ull;
    const bool paragraph = lines[i].bytes >= kParagraphBytes;
    paragraphs += paragraph;
    auto e = src.lines.find(lines[i].key);
    if (e == src.lines.end()) continue;
    scores[i] = Decay(e->second.score, e->second.at, now);
    result[i] = scores[i] >= needed;
    if (paragraph && !result[i] && scores[i] >= 0.5) ++known_paragraphs;
  }
  // A re-send or revision of an article already counted adds no evidence: the
  // same lines again, or most of its paragraphs already known.
  if (std::find(src.recent.begin(), src.recent.end(), fingerprint) != src.recent.end()) return result;
  if (paragraphs > 0 && known_paragraphs * 2 > paragraphs) return result;
  src.recent[src.next_recent++ % src.recent.size()] = fingerprint;

  src.articles = static_cast<float>(articles + 1.0);
  src.at = now;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto& e = src.lines[lines[i].key];
    e.score = static_cast<float>(scores[i] + 1.0);
    e.at = now;
  }
  const size_t cap = static_cast<size_t>(config_.max_lines_per_source);
  if (src.lines.size() > cap) {
    // Keep the strongest half: templates have high scores, one-off content lines 1.
    std::vector<std::pair<double, uint64_t>> ranked;
    ranked.reserve(src.lines.size());
    for (const auto& [key, e] : src.lines) ranked.emplace_back(Decay(e.score, e.at, now), key);
    const size_t keep = cap / 2;
    std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = keep; i < ranked.size(); ++i) src.lines.erase(ranked[i].second);
  }
  return result;
}

void BoilerplateLearner::Save(std::ostream& out) const {
  std::vector<std::unique_lock<std::mutex>> locks;
  for (const auto& shard : shards_) locks.emplace_back(shard->mu);
  out.write(kMagic, sizeof(kMagic));
  uint64_t count = 0;
  for (const auto& shard : shards_) count += shard->sources.size();
  Put(out, count);
  for (const auto& shard : shards_) {
    // Least recently seen first, so Load rebuilds the same LRU order.
    for (auto it = shard->lru.rbegin(); it != shard->lru.rend(); ++it) {
      const Source& src = shard->sources.at(*it);
      Put(out, *it);
      Put(out, src.articles);
      Put(out, src.at);
      Put(out, static_cast<uint32_t>(src.lines.size()));
      for (const auto& [key, e] : src.lines) {
        Put(out, key);
        Put(out, e.score);
        Put(out, e.at);
      }
    }
  }
}

bool BoilerplateLearner::Load(std::istream& in, std::string* error) {
  auto fail = [&](const std::string& what) {
    for (auto& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard->mu);
      shard->sources.clear();
      shard->lru.clear();
    }
    if (error) *error = "learner snapshot: " + what;
    return false;
  };
  char magic[sizeof(kMagic)];
  if (!in.read(magic, sizeof(magic)) || !std::equal(magic, magic + sizeof(magic), kMagic)) {
    return fail("not a snapshot (bad magic)");
  }
  (void)fail("");  // start empty
  uint64_t count = 0;
  if (!Get(in, count)) return fail("truncated header");
  for (uint64_t s = 0; s < count; ++s) {
    uint64_t key = 0;
    Source src;
    uint32_t n = 0;
    if (!Get(in, key) || !Get(in, src.articles) || !Get(in, src.at) || !Get(in, n)) return fail("truncated source");
    if (n > (1u << 26)) return fail("implausible line count");
    for (uint32_t i = 0; i < n; ++i) {
      uint64_t lk = 0;
      Source::Entry e;
      if (!Get(in, lk) || !Get(in, e.score) || !Get(in, e.at)) return fail("truncated line entry");
      if (src.lines.size() < static_cast<size_t>(config_.max_lines_per_source)) src.lines.emplace(lk, e);
    }
    Shard& shard = ShardOf(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.sources.count(key)) continue;
    if (shard.sources.size() >= sources_per_shard_) {
      shard.sources.erase(shard.lru.back());
      shard.lru.pop_back();
    }
    shard.lru.push_front(key);
    src.lru = shard.lru.begin();
    shard.sources.emplace(key, std::move(src));
  }
  if (error) error->clear();
  return true;
}

size_t BoilerplateLearner::SourceCount() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    n += shard->sources.size();
  }
  return n;
}

size_t BoilerplateLearner::KeyCount() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    for (const auto& [k, s] : shard->sources) n += s.lines.size();
  }
  return n;
}

}  // namespace ingestd
