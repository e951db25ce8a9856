// Dedupe stage benchmarks (issue 5): signature + lookup per 6 KB article, bytes per
// indexed article, restore time for one million indexed articles, lock contention.
//
//   build/bench/dedupe_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Reference measured in the same run: XXH3-128 of the same 6 KB text (the content
// hash normalize computes anyway), so ratios survive a slower or busier machine.
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "bench/thread_cpu.h"
#include "stages/article.h"
#include "stages/dedupe/dedupe_index.h"
#include "stages/dedupe/dedupe_stage.h"
#include "stages/dedupe/signature.h"
#include "stages/dedupe/term_frequency.h"
#include "stages/text/fold.h"

namespace ingestd::dedupe {
namespace {

using bench::ThreadCpuSeconds;

constexpr int64_t kNow = 1'800'000'000;

// About 6 KB of made-up English-like prose (1000 words), different per seed.
std::string Text6K(uint64_t seed) {
  static const char* kWords[] = {"the",        "of",        "and",       "government", "minister", "security",
                                 "forces",     "attack",    "city",      "province",   "report",   "officials",
                                 "police",     "border",    "election",  "court",      "military", "economy",
                                 "market",     "talks",     "agreement", "ceasefire",  "protest",  "village",
                                 "region",     "spokesman", "statement", "operation",  "said",     "investigation",
                                 "parliament", "president", "refugees",  "hospital",   "school"};
  static const char* kSyllables[] = {"ka", "ri", "mo", "sa", "le", "na", "tu", "vo", "de", "bi", "ha", "zu"};
  std::mt19937_64 rng(seed);
  std::string out;
  while (out.size() < 6000) {
    if (!out.empty()) out += (rng() % 12 == 0) ? ". " : " ";
    if (rng() % 2) {
      out += kWords[rng() % (sizeof kWords / sizeof *kWords)];
    } else {
      for (int j = 0; j < 3; ++j) out += kSyllables[rng() % 12];
    }
  }
  return out;
}

Signature RandomSignature(std::mt19937_64& rng, uint32_t shingles = 1000) {
  Signature s;
  // The smallest 160 of `shingles` uniform hashes: spread over [0, 160/shingles) of the range.
  const uint64_t span = ~uint64_t{0} / shingles * kQueryValues;
  for (size_t i = 0; i < kQueryValues; ++i) s.bottom.push_back(rng() % span);
  std::sort(s.bottom.begin(), s.bottom.end());
  s.shingles = shingles;
  for (auto& b : s.bands) b = static_cast<uint32_t>(rng());
  s.band_count = static_cast<uint8_t>(kBands);
  return s;
}

// An index of `n` articles with 6 KB-like signatures, 16 distinctive story terms
// (the most kept: a full story sketch) and "u-" + 16 hex ids.
void Fill(DedupeIndex& index, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> terms(16);
  for (size_t i = 0; i < n; ++i) {
    const Signature sig = RandomSignature(rng);
    for (auto& t : terms) t = static_cast<uint32_t>(rng());
    const std::vector<uint32_t> keys = terms;
    std::sort(terms.begin(), terms.end());
    char id[24];
    std::snprintf(id, sizeof id, "u-%016llx", static_cast<unsigned long long>(rng()));
    Query q{id, Hash128{rng(), rng()}, rng(), &sig, &terms, &keys};
    (void)index.CheckAndInsert(q, kNow);
  }
}

IndexOptions BigOptions() {
  IndexOptions o;
  o.memory_budget_bytes = int64_t{8} << 30;
  return o;
}

void BM_Reference_Xxh3OfText(benchmark::State& state) {
  const std::string text = Text6K(1);
  for (auto _ : state) benchmark::DoNotOptimize(HashText(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Reference_Xxh3OfText);

void BM_Signature(benchmark::State& state) {
  const std::string folded = Fold(Text6K(2)).text;
  const ShingleOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(MakeSignature(folded, options));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * folded.size()));
}
BENCHMARK(BM_Signature);

// Signature + lookup + insert of a new 6 KB article against an index of
// state.range(0) articles; range(1) = 1 makes it a truncated copy of an indexed
// one (candidate verification and a near verdict). Each article is generated
// untimed; the timed part is measured as this thread's CPU time (manual time),
// so other processes on a shared machine do not inflate it.
void BM_SignatureAndLookup(benchmark::State& state) {
  DedupeIndex index(BigOptions());
  Fill(index, static_cast<size_t>(state.range(0)), 3);
  const bool near = state.range(1) == 1;
  const ShingleOptions options;
  // Term counts warmed like the stage's (story terms are part of the sketch).
  TermFrequency counts(0.02, 4);
  for (uint64_t i = 0; i < 500; ++i) {
    std::vector<uint32_t> terms;
    (void)ShingleHashes(Fold(Text6K(900000 + i)).text, options, &terms);
    counts.Add(RepeatedTerms(terms));
  }
  uint64_t seed = 1000;
  int64_t near_verdicts = 0;
  double signature_seconds = 0;
  double lookup_seconds = 0;
  for (auto _ : state) {
    std::string text = Text6K(++seed);
    if (near) {
      const Sketch original = MakeSketch(Fold(text).text, options, counts);
      Query q{"orig", HashText(text), 0, &original.signature, &original.story_terms, &original.story_keys};
      (void)index.CheckAndInsert(q, kNow);
      text.resize(text.size() * 6 / 10);
    }
    const std::string folded = Fold(text).text;
    const Hash128 hash = HashText(text);
    const std::string id = "a" + std::to_string(seed);
    const double start = ThreadCpuSeconds();
    const Sketch sketch = MakeSketch(folded, options, counts);
    const double signed_at = ThreadCpuSeconds();
    Query q{id, hash, seed, &sketch.signature, &sketch.story_terms, &sketch.story_keys};
    const DedupeResult r = index.CheckAndInsert(q, kNow);
    const double end = ThreadCpuSeconds();
    state.SetIterationTime(end - start);
    signature_seconds += signed_at - start;
    lookup_seconds += end - signed_at;
    near_verdicts += r.status == DedupeStatus::kNear;
    benchmark::DoNotOptimize(r);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["near_share"] = static_cast<double>(near_verdicts) / n;
  state.counters["signature_us"] = signature_seconds * 1e6 / n;
  state.counters["lookup_us"] = lookup_seconds * 1e6 / n;
  state.counters["story_links"] = static_cast<double>(index.Stats().story_links);
}
BENCHMARK(BM_SignatureAndLookup)
    ->Args({1'000, 0})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Args({1'000'000, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// The reference under the same manual CPU timing, for the ratio.
void BM_Reference_Xxh3OfTextManual(benchmark::State& state) {
  uint64_t seed = 1000;
  for (auto _ : state) {
    const std::string text = Text6K(++seed);
    const double start = ThreadCpuSeconds();
    benchmark::DoNotOptimize(HashText(text));
    state.SetIterationTime(ThreadCpuSeconds() - start);
  }
}
BENCHMARK(BM_Reference_Xxh3OfTextManual)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_BytesPerIndexedArticle(benchmark::State& state) {
  for (auto _ : state) {
    DedupeIndex index(BigOptions());
    Fill(index, static_cast<size_t>(state.range(0)), 4);
    const IndexStats s = index.Stats();
    state.counters["bytes_per_article"] = static_cast<double>(s.bytes) / static_cast<double>(s.entries);
  }
}
BENCHMARK(BM_BytesPerIndexedArticle)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Restore of one million entries from a snapshot file (the same Apply path the
// shared log's restore takes, plus file reading and decoding).
void BM_RestoreOneMillion(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "dedupe_bench_snapshot";
  {
    DedupeIndex index(BigOptions());
    Fill(index, 1'000'000, 5);
    SaveSnapshot(index, path.string());
  }
  for (auto _ : state) {
    DedupeIndex index(BigOptions());
    const size_t n = LoadSnapshot(index, path.string(), kNow);
    if (n != 1'000'000) state.SkipWithError("restore lost entries");
  }
  state.counters["snapshot_bytes_per_article"] = static_cast<double>(std::filesystem::file_size(path)) / 1'000'000.0;
  std::filesystem::remove(path);
}
BENCHMARK(BM_RestoreOneMillion)->Iterations(3)->Unit(benchmark::kMillisecond);

// The whole stage from 1 and 2 threads: the lock's cost under contention.
void BM_StageProcess(benchmark::State& state) {
  static std::unique_ptr<Stage> stage;
  static std::vector<std::string> folded;
  static prometheus::Registry registry;
  static SystemClock clock;
  if (state.thread_index() == 0) {
    DedupeConfig config;
    config.memory_budget_bytes = int64_t{1} << 30;
    stage = MakeDedupeStage(config, StageContext{&registry, &clock});
    if (folded.empty()) {
      for (int i = 0; i < 64; ++i) folded.push_back(Fold(Text6K(5000 + i)).text);
    }
  }
  uint64_t n = static_cast<uint64_t>(state.thread_index()) << 40;
  for (auto _ : state) {
    Article a;
    a.id = "t" + std::to_string(++n);
    a.url = "https://x.example/" + a.id;
    a.folded_text.text = folded[n % folded.size()];
    a.content_hash = Hash128{n, n};  // distinct hashes: every article takes the near path
    benchmark::DoNotOptimize(stage->Process(a));
  }
}
BENCHMARK(BM_StageProcess)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ingestd::dedupe

BENCHMARK_MAIN();
