// Throughput of the tagging stage's matcher on the default taxonomy (countries
// included), against references measured in the same run on the same bytes:
// memchr over the text (memory bandwidth) and a Hyperscan database holding one
// literal (the floor of a Hyperscan scan). Also Fold() (run by normalize, the
// matcher's input) and the taxonomy's load + compile time.
// Texts are synthetic article bodies built from sentences written for this
// benchmark (no scraped text).
//
//   build/bench/tagging_bench --benchmark_min_time=0.5 --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "config/tagging_config.h"
#include "stages/tagging/compiled_taxonomy.h"
#include "stages/tagging/tagging_stage.h"
#include "stages/text/fold.h"

namespace {

// Mostly ordinary news prose with an occasional name, as in real feeds.
const std::vector<std::vector<std::string>>& Sentences() {
  static const std::vector<std::vector<std::string>> k = {
      {"The provincial council met on Tuesday to discuss the water supply for the northern districts. ",
       "Officials said the new road would open before the winter, weeks later than planned. ",
       "Police in Kabul said two men were detained after an attack on a checkpoint. ",
       "Prices of flour and cooking oil rose again this month, traders in the market said. ",
       "A spokesman for the Taliban denied that foreign fighters were present in the province. ",
       "The ministry announced a vaccination campaign in schools across the region. ",
       "Analysts say the Islamic State Khorasan Province has lost several commanders this year. ",
       "Heavy rain closed the mountain pass for three days and stranded hundreds of trucks. "},
      {"وقال مسؤولون محليون إن أعمال الصيانة في الطريق الرئيسي ستنتهي خلال أسبوعين. ",
       "وأعلن تنظيم الدولة الإسلامية مسؤوليته عن الهجوم في بيان نشره على الإنترنت. ",
       "وارتفعت أسعار الخبز في الأسواق بعد زيادة تكاليف النقل والوقود. ",
       "وقالت وزارة التربية إن المدارس ستفتح أبوابها في موعدها المحدد هذا العام. "},
      {"Городской совет утвердил бюджет на следующий год после долгого обсуждения. ",
       "Боевики ИГИЛ были задержаны на границе с Таджикистаном, сообщили силовики. ",
       "Жители района пожаловались на перебои с электричеством в последние недели. ",
       "Министерство объявило о строительстве новой больницы в областном центре. "},
      {"市政府宣布将在明年春季开放新的公共图书馆。", "当地官员表示，塔利班在喀布尔附近加强了检查站。",
       "今年的农作物收成比去年有所增加，农民表示满意。", "交通部门称，新的高速公路将于年底前通车。"},
  };
  return k;
}

std::string Text(int lang, size_t bytes) {
  std::string text;
  const auto& s = Sentences()[static_cast<size_t>(lang)];
  for (size_t i = 0; text.size() < bytes; ++i) text += s[i % s.size()];
  return text;
}

std::string Mixed(size_t bytes) {
  std::string text;
  for (size_t i = 0; text.size() < bytes; ++i) {
    const auto& s = Sentences()[i % Sentences().size()];
    text += s[(i / Sentences().size()) % s.size()];
  }
  return text;
}

const ingestd::CompiledTaxonomy& Default() {
  static const auto* t = new std::shared_ptr<const ingestd::CompiledTaxonomy>(ingestd::CompileTaxonomy(
      ingestd::LoadTaxonomy(INGESTD_SOURCE_DIR "/config/taxonomy", ingestd::DefaultGeneratedTaxonomyDir())));
  return **t;
}

ingestd::Article MakeArticle(int lang, size_t bytes) {
  ingestd::Article a;
  a.title = "Officials comment on the situation";
  a.text = lang < 0 ? Mixed(bytes) : Text(lang, bytes);
  a.folded_title = ingestd::Fold(a.title);
  a.folded_text = ingestd::Fold(a.text);
  return a;
}

// Args: text bytes, language (-1 mixed, 0 en, 1 ar, 2 ru, 3 zh). Bytes are the
// folded text's, which is what the matcher scans.
void BM_TaggingMatch(benchmark::State& state) {
  const auto& taxonomy = Default();
  const ingestd::Article a = MakeArticle(static_cast<int>(state.range(1)), static_cast<size_t>(state.range(0)));
  size_t tags = 0;
  for (auto _ : state) {
    auto t = taxonomy.Match(a, 20);
    tags = t.size();
    benchmark::DoNotOptimize(t);
  }
  state.counters["tags"] = static_cast<double>(tags);
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * (a.folded_text.text.size() + a.folded_title.text.size())));
}

void BM_ReferenceMemchr(benchmark::State& state) {
  const ingestd::Article a = MakeArticle(static_cast<int>(state.range(1)), static_cast<size_t>(state.range(0)));
  const std::string& text = a.folded_text.text;
  for (auto _ : state) benchmark::DoNotOptimize(std::memchr(text.data(), '\x01', text.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

int OnMatch(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<size_t*>(ctx);
  return 0;
}

void BM_ReferenceHyperscanOneLiteral(benchmark::State& state) {
  const ingestd::Article a = MakeArticle(static_cast<int>(state.range(1)), static_cast<size_t>(state.range(0)));
  const std::string& text = a.folded_text.text;
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  const char* lit = "xyzzy";
  const unsigned flags = 0, id = 0;
  const size_t len = 5;
  if (hs_compile_lit_multi(&lit, &flags, &id, &len, 1, HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    state.SkipWithError("hs_compile_lit_multi failed");
    return;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  size_t matches = 0;
  for (auto _ : state) hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, OnMatch, &matches);
  benchmark::DoNotOptimize(matches);
  hs_free_scratch(scratch);
  hs_free_database(db);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// Fold() of the original text (normalize runs it; bytes are the original's).
void BM_Fold(benchmark::State& state) {
  const std::string text = state.range(1) < 0
                               ? Mixed(static_cast<size_t>(state.range(0)))
                               : Text(static_cast<int>(state.range(1)), static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ingestd::Fold(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_CompileDefaultTaxonomy(benchmark::State& state) {
  size_t patterns = 0, bytes = 0;
  for (auto _ : state) {
    auto t = ingestd::CompileTaxonomy(
        ingestd::LoadTaxonomy(INGESTD_SOURCE_DIR "/config/taxonomy", ingestd::DefaultGeneratedTaxonomyDir()));
    patterns = t->stats().patterns;
    bytes = t->stats().database_bytes;
  }
  state.counters["patterns"] = static_cast<double>(patterns);
  state.counters["db_bytes"] = static_cast<double>(bytes);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int lang : {-1, 0, 1, 2, 3}) b->Args({64 << 10, lang});
  b->Args({4 << 10, -1});
}

BENCHMARK(BM_TaggingMatch)->Apply(Args);
BENCHMARK(BM_ReferenceMemchr)->Apply(Args);
BENCHMARK(BM_ReferenceHyperscanOneLiteral)->Apply(Args);
BENCHMARK(BM_Fold)->Apply(Args);
BENCHMARK(BM_CompileDefaultTaxonomy)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
