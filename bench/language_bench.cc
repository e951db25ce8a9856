// Throughput of the language stage's detector vs CLD2 alone over the same full text,
// in the same run: synthetic article bodies built from short multilingual sentences
// written for this benchmark (no scraped text), and the shared generated corpus
// (bench/gen_corpus: ~6 KB articles in eight languages, after normalize and dedupe).
//
//   build/bench/language_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/bench_corpus.h"
#include "stages/language/detector.h"

namespace {

const std::vector<std::string>& Sentences() {
  static const std::vector<std::string> kSentences = {
      "The council met on Tuesday to discuss the new water supply plan for the northern districts. ",
      "وزارت داخله اعلام کرد که جاده‌های اصلی شهر پس از بارندگی "
      "شدید "
      "بازگشایی "
      "شده‌اند. ",
      "د ولایت والي وویل چې د ښوونځیو د بیا جوړولو کار به ډېر ژر پیل شي. ",
      "Городской совет утвердил бюджет на следующий год после долгого обсуждения. ",
      "Hükümet, yeni ulaşım projesinin gelecek ay başlayacağını açıkladı. ",
      "市政府宣布将在明年春季开放新的公共图书馆。",
  };
  return kSentences;
}

std::string Article(size_t sentence, size_t bytes) {
  std::string text;
  while (text.size() < bytes) text += Sentences()[sentence % Sentences().size()];
  return text;
}

void BM_Cld2Alone(benchmark::State& state) {
  const std::string text = Article(static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ingestd::language::LanguageDetector::Cld2Only(text, true));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_LanguageStage(benchmark::State& state) {
  const std::string text = Article(static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(0)));
  const ingestd::language::LanguageDetector detector({});  // max_sample_bytes: the default
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        detector.Detect({.title = "Headline of the day", .text = text, .language_hint = {}, .url = {}}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// Args: text bytes, sentence (0 en, 1 fa, 2 ps, 3 ru, 4 tr, 5 zh).
void Args(benchmark::internal::Benchmark* b) {
  for (int64_t lang : {0, 2, 3}) {
    for (int64_t bytes : {1, 300, 3000, 30000, 300000}) b->Args({bytes, lang});  // 1: one sentence
  }
}

BENCHMARK(BM_Cld2Alone)->Apply(Args);
BENCHMARK(BM_LanguageStage)->Apply(Args);

const std::vector<ingestd::Article>& CorpusArticles() {
  static const auto* articles =
      new std::vector<ingestd::Article>(ingestd::bench::PreparedCorpus(*ingestd::bench::BenchConfig(), "language"));
  return *articles;
}

// Per article of the generated corpus: CLD2 alone over title and full text vs the stage.
void BM_Cld2AloneCorpus(benchmark::State& state) {
  const auto& articles = CorpusArticles();
  size_t i = 0, bytes = 0;
  std::string buffer;
  for (auto _ : state) {
    const auto& a = articles[i++ % articles.size()];
    buffer.assign(a.title).append("\n").append(a.text);
    bytes += a.text.size();
    benchmark::DoNotOptimize(ingestd::language::LanguageDetector::Cld2Only(buffer, true));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_LanguageStageCorpus(benchmark::State& state) {
  const auto& articles = CorpusArticles();
  const ingestd::language::LanguageDetector detector(
      {.max_sample_bytes = state.range(0) > 0 ? static_cast<size_t>(state.range(0)) : size_t{1024}});
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& a = articles[i++ % articles.size()];
    bytes += a.text.size();
    benchmark::DoNotOptimize(
        detector.Detect({.title = a.title, .text = a.text, .language_hint = a.language_hint, .url = a.url}));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

BENCHMARK(BM_Cld2AloneCorpus);
// Arg: max_sample_bytes (0: the default).
BENCHMARK(BM_LanguageStageCorpus)->Arg(0)->Arg(2048)->Arg(8192);

}  // namespace

BENCHMARK_MAIN();
