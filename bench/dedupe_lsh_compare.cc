// Candidate generation for containment, compared on the labelled set (issue 5 asks for
// "MinHash signatures with an LSH index tuned for containment (LSH Ensemble, or
// several band layouts)"): the index's bottom-k keys against banded one-permutation
// MinHash with several band layouts, at the same number of keys per article.
//
//   build/bench/dedupe_lsh_compare [--originals N]
//
// Every article of the set is folded like the stage does, shingled, and given each
// scheme's keys; articles are indexed in arrival order and each one first looks up
// the earlier ones. Reported per scheme: the share of labelled copies whose original
// is among the candidates (by kind), candidates per article (the verification work:
// each costs a record fetch and up to 64 fingerprint probes), keys stored per article
// (index memory: 8 bytes a key), and the CPU time of key computation + lookup (same
// hash map for every scheme, so only the ratios mean something).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/thread_cpu.h"
#include "config/normalize_config.h"
#include "stages/clock.h"
#include "stages/dedupe/labelled_set.h"
#include "stages/dedupe/signature.h"
#include "stages/normalize/normalize_stage.h"

namespace ingestd::dedupe {
namespace {

struct Keys {
  std::vector<uint64_t> index;  // stored for the article
  std::vector<uint64_t> query;  // looked up for it
};

// The index's scheme: the 12 smallest hash ranks stored, the 24 smallest looked up
// (bands of one value over a bottom-k sketch).
Keys BottomK(const std::vector<uint64_t>& sorted_distinct) {
  Keys k;
  for (size_t i = 0; i < sorted_distinct.size() && i < 24; ++i) {
    const uint64_t rank = sorted_distinct[i] >> 32;
    if (i < 12) k.index.push_back(rank);
    k.query.push_back(rank);
  }
  return k;
}

// One-permutation MinHash: `bins` bins by hash, the minimum of each, empty bins
// filled from the next non-empty one (rotation densification); then `layout` bands:
// each {rows, count} takes `count` bands of `rows` consecutive bins.
struct Layout {
  int rows;
  int count;
};

Keys Banded(const std::vector<uint64_t>& distinct, int bins, const std::vector<Layout>& layouts) {
  std::vector<uint64_t> mins(static_cast<size_t>(bins), ~uint64_t{0});
  for (const uint64_t h : distinct) {
    const auto b = static_cast<size_t>((h >> 32) % static_cast<uint64_t>(bins));
    mins[b] = std::min<uint64_t>(mins[b], h & 0xffffffffULL);
  }
  for (int b = 0; b < bins; ++b) {
    if (mins[static_cast<size_t>(b)] != ~uint64_t{0}) continue;
    for (int d = 1; d < bins; ++d) {
      const uint64_t v = mins[static_cast<size_t>((b + d) % bins)];
      if (v != ~uint64_t{0} && v < (uint64_t{1} << 32)) {
        mins[static_cast<size_t>(b)] = v + (static_cast<uint64_t>(d) << 32);  // offset marks the donor
        break;
      }
    }
  }
  Keys k;
  int bin = 0;
  int band = 0;
  for (const Layout& l : layouts) {
    for (int c = 0; c < l.count; ++c, ++band) {
      uint64_t key = Mix(static_cast<uint64_t>(band) + 0x100);
      for (int r = 0; r < l.rows; ++r) key = Mix(key ^ mins[static_cast<size_t>(bin++)]);
      k.index.push_back(key);
    }
  }
  k.query = k.index;
  return k;
}

struct Scheme {
  std::string name;
  int keys_per_article;
  std::function<Keys(const std::vector<uint64_t>&)> make;
};

struct Result {
  std::map<std::string, std::pair<int64_t, int64_t>> found_by_kind;  // found, positives
  int64_t candidates = 0;
  int64_t queries = 0;
  double seconds = 0;
};

}  // namespace
}  // namespace ingestd::dedupe

int main(int argc, char** argv) {
  using namespace ingestd;
  using namespace ingestd::dedupe;
  eval::SetOptions options;
  options.originals = 3000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--originals") == 0) options.originals = std::atoi(argv[i + 1]);
  }
  const auto set = eval::MakeLabelledSet(options);

  // Fold and shingle every article once, like the stage.
  ManualClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50)));
  auto normalize = MakeNormalizeStage(NormalizeConfig{}, StageContext{nullptr, &clock});
  std::vector<std::vector<uint64_t>> shingles;
  std::vector<const eval::LabelledArticle*> items;
  std::unordered_map<std::string, uint32_t> position;
  for (const auto& item : set) {
    Article a;
    a.id = item.id;
    a.url = item.url;
    a.text = item.text;
    if (normalize->Process(a).verdict != Verdict::kContinue) continue;
    std::vector<uint64_t> h = ShingleHashes(a.folded_text.text, ShingleOptions{});
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
    position[item.id] = static_cast<uint32_t>(items.size());
    shingles.push_back(std::move(h));
    items.push_back(&item);
  }

  const std::vector<Scheme> schemes = {
      {"bottom-k, 12 bands of 1 (the index)", 12, [](const auto& s) { return BottomK(s); }},
      {"OPH 12 bins: 12 bands x 1 row", 12,
       [](const auto& s) {
         return Banded(s, 12, {{1, 12}});
       }},
      {"OPH 12 bins: 6 bands x 2 rows", 12,
       [](const auto& s) {
         return Banded(s, 12, {{2, 6}});
       }},
      {"OPH 12 bins: 4 bands x 3 rows", 12,
       [](const auto& s) {
         return Banded(s, 12, {{3, 4}});
       }},
      {"OPH 16 bins: 8 x 1 + 4 x 2 (two layouts)", 12,
       [](const auto& s) {
         return Banded(s, 16, {{1, 8}, {2, 4}});
       }},
      {"the stage's own keys (MakeSignature: 16 bins, 8 x 1 + 4 x 2)", 12,
       [](const auto& s) {
         Keys k;
         for (uint32_t band : MakeSignature(std::vector<uint64_t>(s)).bands) k.index.push_back(band);
         k.query = k.index;
         return k;
       }},
      {"OPH 24 bins: 24 bands x 1 row (2x memory)", 24,
       [](const auto& s) {
         return Banded(s, 24, {{1, 24}});
       }},
      {"OPH 36 bins: 12 x 1 + 12 x 2 (two layouts, 2x memory)", 24,
       [](const auto& s) {
         return Banded(s, 36, {{1, 12}, {2, 12}});
       }},
  };

  std::printf("labelled set: %d originals, %zu articles; positives = exact/near copies, target = their original\n\n",
              options.originals, items.size());
  std::printf(
      "| scheme | keys/article | candidates/article | CPU us/article | copies with the original among "
      "candidates | truncated | excerpt | edited | wrapped |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Scheme& scheme : schemes) {
    std::unordered_map<uint64_t, std::vector<uint32_t>> table;
    Result r;
    std::vector<uint32_t> candidates;
    for (size_t i = 0; i < items.size(); ++i) {
      const double start = ingestd::bench::ThreadCpuSeconds();
      const Keys keys = scheme.make(shingles[i]);
      candidates.clear();
      for (const uint64_t k : keys.query) {
        auto it = table.find(k);
        if (it != table.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
      }
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
      for (const uint64_t k : keys.index) table[k].push_back(static_cast<uint32_t>(i));
      r.seconds += ingestd::bench::ThreadCpuSeconds() - start;
      r.candidates += static_cast<int64_t>(candidates.size());
      ++r.queries;
      const auto& item = *items[i];
      if (!item.duplicate || item.kind == eval::Kind::kExactCopy || item.kind == eval::Kind::kCopyOfCopy) continue;
      const auto target = position.find(item.duplicate_of);
      if (target == position.end()) continue;
      const bool found = std::binary_search(candidates.begin(), candidates.end(), target->second);
      auto& all = r.found_by_kind["all"];
      auto& kind = r.found_by_kind[eval::KindName(item.kind)];
      all.first += found;
      ++all.second;
      kind.first += found;
      ++kind.second;
    }
    auto share = [&](const char* kind) {
      const auto& p = r.found_by_kind[kind];
      return p.second == 0 ? 0.0 : static_cast<double>(p.first) / static_cast<double>(p.second);
    };
    std::printf("| %s | %d | %.1f | %.2f | %.4f | %.4f | %.4f | %.4f | %.4f |\n", scheme.name.c_str(),
                scheme.keys_per_article, static_cast<double>(r.candidates) / static_cast<double>(r.queries),
                r.seconds * 1e6 / static_cast<double>(r.queries), share("all"), share("truncated"), share("excerpt"),
                share("edited"), share("template_wrapped"));
  }
  std::printf("\n(exact copies are found by the exact table and left out; near copies only.)\n");
  return 0;
}
