// Throughput of the normalize stage on ~6 KB articles, per core (one thread),
// with references measured in the same run: memcpy of the text and one plain
// utf8proc NFC pass over it.
//
//   build/bench/normalize_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "bench/normalize_synthetic.h"
#include "config/normalize_config.h"
#include "stages/normalize/normalize_stage.h"
#include "stages/normalize/text_hygiene.h"
#include "stages/text/fold.h"

namespace ingestd {
namespace {

constexpr size_t kArticleBytes = 6 * 1024;

// An English news page: template lines around random prose, cut to ~6 KB.
std::string EnglishArticle(int seed) {
  synthetic::Generator g(static_cast<uint64_t>(seed));
  std::string text;
  while (text.size() < kArticleBytes) text += g.Make(1, 1)[0].Text() + "\n\n";
  text.resize(kArticleBytes);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  return text;
}

// Arabic, Russian and English paragraphs with typographic punctuation and NBSP.
// Each paragraph's words are shuffled (by seed and position), so no two lines of an
// article, or of two articles, are alike: the stage then keeps the text, as it
// keeps real articles, instead of dropping repeats.
std::string MixedArticle(uint64_t seed = 0) {
  const std::string paragraphs[] = {
      "\u0627\u0641\u062A\u062A\u062D \u0648\u0632\u064A\u0631 \u0627\u0644\u0646\u0642\u0644 \u0635\u0628\u0627\u062D "
      "\u0627\u0644\u064A\u0648\u0645 \u0627\u0644\u062C\u0633\u0631 \u0627\u0644\u062C\u062F\u064A\u062F \u0627\u0644"
      "\u0630\u064A \u064A\u0631\u0628\u0637 \u0636\u0641\u062A\u064A \u0627\u0644\u0646\u0647\u0631\u060C \u0628\u0639"
      "\u062F \u0623\u0639\u0645\u0627\u0644 \u0627\u0633\u062A\u0645\u0631\u062A \u062B\u0644\u0627\u062B \u0633\u0646"
      "\u0648\u0627\u062A.",
      "\u041F\u0435\u0440\u0432\u044B\u0439 \u043F\u043E\u0435\u0437\u0434 \u043F\u0440\u043E\u0448\u0451\u043B \u043F"
      "\u043E \u043D\u043E\u0432\u043E\u0439 \u0432\u0435\u0442\u043A\u0435 \u0432 \u043F\u043E\u043D\u0435\u0434\u0435"
      "\u043B\u044C\u043D\u0438\u043A \u0443\u0442\u0440\u043E\u043C, \u0441\u043E\u043E\u0431\u0449\u0438\u043B\u0438 "
      "\u0432 \u043F\u0440\u0435\u0441\u0441-\u0441\u043B\u0443\u0436\u0431\u0435 \u00AB\u0420\u0416\u0414\u00BB.",
      "\u201CWe slept for the first time in three days,\u201D said a resident\u00A0of the eastern bank \u2014 where "
      "water reached the top of the wall before falling back.",
  };
  std::string text;
  std::mt19937_64 rng(seed);
  for (int i = 0; text.size() < kArticleBytes; ++i) {
    std::vector<std::string> words;
    const std::string& p = paragraphs[i % 3];
    for (size_t pos = 0; pos < p.size();) {
      size_t end = p.find(' ', pos);
      if (end == std::string::npos) end = p.size();
      words.push_back(p.substr(pos, end - pos));
      pos = end + 1;
    }
    std::shuffle(words.begin() + 1, words.end(), rng);
    for (size_t w = 0; w < words.size(); ++w) text += (w ? " " : "") + words[w];
    text += i % 4 == 3 ? "\n\n" : "\n";
  }
  return text;
}

void Reference_Memcpy(benchmark::State& state) {
  const std::string text = EnglishArticle(1);
  std::string dst(text.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), text.data(), text.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(Reference_Memcpy);

void Reference_Utf8procNfc(benchmark::State& state) {
  const std::string text = state.range(0) == 0 ? EnglishArticle(1) : MixedArticle();
  for (auto _ : state) {
    utf8proc_uint8_t* out = nullptr;
    const auto n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                     &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    benchmark::DoNotOptimize(n);
    std::free(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(Reference_Utf8procNfc)->Arg(0)->Arg(1)->ArgName("mixed");

void Part_CleanText(benchmark::State& state) {
  const std::string text = state.range(0) == 0 ? EnglishArticle(1) : MixedArticle();
  for (auto _ : state) benchmark::DoNotOptimize(CleanText(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(Part_CleanText)->Arg(0)->Arg(1)->ArgName("mixed");

void Part_Fold(benchmark::State& state) {
  const std::string text = state.range(0) == 0 ? EnglishArticle(1) : MixedArticle();
  for (auto _ : state) benchmark::DoNotOptimize(Fold(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(Part_Fold)->Arg(0)->Arg(1)->ArgName("mixed");

// The whole stage as the runtime calls it: shipped rules, learner on, distinct
// articles from 3 sources. No article reaches one stage twice (the learner would
// take it for a re-send): when the set is used up the stage is built afresh,
// untimed. The counters say how much text the stage kept, so a figure that comes
// from dropping most of the input shows as such.
void NormalizeStage(benchmark::State& state) {
  NormalizeConfig config;
  config.boilerplate_rules = LoadBoilerplateRuleDir(INGESTD_BENCH_SOURCE_DIR "/config/boilerplate");
  SystemClock clock;
  constexpr int kArticles = 256;
  std::vector<Article> protos;
  size_t bytes = 0;
  for (int i = 0; i < kArticles; ++i) {
    Article a;
    a.url = "https://site" + std::to_string(i % 3) + ".example/news/" + std::to_string(i) + "?utm_source=x";
    a.title = "A headline for article " + std::to_string(i);
    a.text = state.range(0) == 0 ? EnglishArticle(i) : MixedArticle(static_cast<uint64_t>(i));
    bytes += a.text.size();
    protos.push_back(std::move(a));
  }
  std::unique_ptr<Stage> stage;
  size_t i = 0;
  int64_t dead = 0, text_out = 0;
  for (auto _ : state) {
    if (i % protos.size() == 0) {
      state.PauseTiming();
      stage = MakeNormalizeStage(config, StageContext{nullptr, &clock});
      state.ResumeTiming();
    }
    Article a = protos[i++ % protos.size()];
    const StageResult r = stage->Process(a);
    dead += r.verdict == Verdict::kDeadLetter;
    text_out += static_cast<int64_t>(a.text.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (bytes / protos.size())));
  const auto n = static_cast<double>(state.iterations());
  state.counters["dead_letter_share"] = static_cast<double>(dead) / n;
  state.counters["text_kept_share"] = static_cast<double>(text_out) / (n * static_cast<double>(bytes / protos.size()));
}
BENCHMARK(NormalizeStage)->Arg(0)->Arg(1)->ArgName("mixed");

}  // namespace
}  // namespace ingestd

BENCHMARK_MAIN();
