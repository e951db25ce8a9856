// The whole record path, as the daemon runs it per record: decode the envelope, run
// the stage chain, encode the event (Processor::Process), over the generated corpus.
// Reports articles/s and MB/s of text on one core (thread CPU time), each stage's
// share of the time (from ingestd_stage_seconds, the histogram the runtime exports),
// and references measured in the same run on the same records (memcpy, a simdjson
// parse), so figures taken at different loads can be compared.
//
//   build/bench/processor_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The chain is config/ingestd.yaml's pipeline.stages with their default settings
// (INGESTD_BENCH_CONFIG / INGESTD_BENCH_STAGES override it, see bench_corpus.h).
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>
#include <simdjson.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "bench/bench_corpus.h"
#include "bench/thread_cpu.h"
#include "config/config.h"
#include "daemon/envelope.h"
#include "daemon/event_writer.h"
#include "daemon/processor.h"
#include "stages/registry.h"

namespace ingestd::bench {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The chain as shipped: config/ingestd.yaml, unless the environment picks another.
std::shared_ptr<const Config> ChainConfig() {
  static const std::shared_ptr<const Config> config = [] {
    if (std::getenv("INGESTD_BENCH_CONFIG") != nullptr || std::getenv("INGESTD_BENCH_STAGES") != nullptr) {
      return BenchConfig();
    }
    try {
      return LoadConfig(INGESTD_BENCH_SOURCE_DIR "/config/ingestd.yaml", {});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "processor_bench: %s\n", e.what());
      std::exit(2);
    }
  }();
  return config;
}

// Stages whose state is built from the stream (the learner, the dedupe index) are
// made fresh for every pass, so each pass sees the corpus as a new stream would.
// The others hold only what start-up builds (the compiled taxonomy, the language
// models) and are built once, outside any timing, and shared by every pass.
const std::set<std::string, std::less<>> kStreamStateful = {"normalize", "dedupe"};

// Forwards to a stage owned elsewhere (the shared, built-once stages).
class SharedStage final : public Stage {
 public:
  explicit SharedStage(Stage& stage) : stage_(stage) {}
  std::string_view Name() const override { return stage_.Name(); }
  StageResult Process(Article& article) override { return stage_.Process(article); }
  bool Reload(std::string* error) override { return stage_.Reload(error); }

 private:
  Stage& stage_;
};

// Adds the thread CPU time spent in a stage to *seconds: a cross-check of the
// histogram's wall-clock shares, which a loaded machine can skew (a stage that is
// descheduled keeps its wall clock running). Costs two clock reads per record.
class CpuTimedStage final : public Stage {
 public:
  CpuTimedStage(std::unique_ptr<Stage> stage, double* seconds) : stage_(std::move(stage)), seconds_(seconds) {}
  std::string_view Name() const override { return stage_->Name(); }
  StageResult Process(Article& article) override {
    const double start = ThreadCpuSeconds();
    StageResult r = stage_->Process(article);
    *seconds_ += ThreadCpuSeconds() - start;
    return r;
  }
  bool Reload(std::string* error) override { return stage_->Reload(error); }

 private:
  std::unique_ptr<Stage> stage_;
  double* seconds_;
};

// Per-article CPU microseconds of each benchmark's repetitions, and the chain's
// share of time per part per pass, for the summary printed at exit.
struct Summary {
  std::map<std::string, std::vector<double>> us_per_article;
  std::vector<std::string> parts;                          // in chain order, then "decode, encode, ids"
  std::map<std::string, std::vector<double>> share;        // per pass
  std::vector<double> pass_us;                             // CPU us per article, per pass
  std::map<std::string, std::vector<double>> wall_vs_cpu;  // per pass, for the load note
  std::vector<std::string> cpu_parts;                      // BM_ProcessorStageCpu's parts
  std::map<std::string, std::vector<double>> cpu_us;       // per pass, thread CPU us per article

  ~Summary() {
    if (pass_us.empty()) return;
    const double total = Median(pass_us);
    std::printf(
        "\nShare of Processor::Process time: median over %zu passes of %zu records (shares from\n"
        "ingestd_stage_seconds, CPU us per article = median pass CPU time x share; wall/CPU %.2f):\n\n",
        pass_us.size(), Corpus().size(), Median(wall_vs_cpu["ratio"]));
    std::printf("| part | share | CPU us/article |\n|---|---:|---:|\n");
    double sum = 0;
    std::vector<double> shares;
    for (const auto& p : parts) shares.push_back(Median(share[p]));
    for (double s : shares) sum += s;
    for (size_t i = 0; i < parts.size(); ++i) {
      const double s = sum > 0 ? shares[i] / sum : 0;  // medians of shares, renormalized to 100%
      std::printf("| %s | %.1f%% | %.1f |\n", parts[i].c_str(), 100 * s, total * s);
    }
    std::printf("| total | 100%% | %.1f |\n", total);
    if (!cpu_parts.empty()) {
      std::printf(
          "\nCross-check (BM_ProcessorStageCpu): thread CPU time inside each stage, median over %zu passes:\n\n",
          cpu_us[cpu_parts.front()].size());
      std::printf("| part | share | CPU us/article |\n|---|---:|---:|\n");
      const double all = Median(cpu_us["total"]);
      for (const auto& p : cpu_parts) {
        const double us = Median(cpu_us[p]);
        std::printf("| %s | %.1f%% | %.1f |\n", p.c_str(), all > 0 ? 100 * us / all : 0, us);
      }
    }
    std::printf("\nPer article, CPU us (median of repetitions), and ratio to the references:\n\n");
    std::printf("| benchmark | CPU us/article | x memcpy | x simdjson parse |\n|---|---:|---:|---:|\n");
    const double memcpy_us = Median(us_per_article["BM_Reference_Memcpy"]);
    const double parse_us = Median(us_per_article["BM_Reference_SimdjsonParse"]);
    // A reference left out by --benchmark_filter gives "n/a", not a ratio of 0.
    auto ratio = [](double us, double ref, const char* format) {
      if (ref <= 0) return std::string("n/a");
      char buf[32];
      std::snprintf(buf, sizeof buf, format, us / ref);
      return std::string(buf);
    };
    for (const auto& [name, v] : us_per_article) {
      if (v.empty()) continue;
      const double us = Median(v);
      std::printf("| %s | %.2f | %s | %s |\n", name.c_str(), us, ratio(us, memcpy_us, "%.0f").c_str(),
                  ratio(us, parse_us, "%.1f").c_str());
    }
    const double text_mb = static_cast<double>(CorpusTextBytes()) / 1e6 / static_cast<double>(Corpus().size());
    const double chain_us = Median(us_per_article["BM_Processor"]);
    if (chain_us > 0) {
      std::printf("\nChain: %.0f articles/s per core, %.1f MB/s of text per core (%.2f KB of text per article)\n",
                  1e6 / chain_us, text_mb * 1e6 / chain_us, text_mb * 1e3);
    }
  }
};
Summary summary;

// Google Benchmark calls a benchmark with growing iteration counts until a run is
// long enough; only runs of at least 0.1 s CPU (the ones it reports) are kept.
void Record(const char* name, double cpu_seconds, double articles) {
  if (cpu_seconds >= 0.1) summary.us_per_article[name].push_back(1e6 * cpu_seconds / articles);
}

double StageSum(prometheus::Registry& registry, const std::string& stage) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "ingestd_stage_seconds") continue;
    for (const auto& m : family.metric) {
      for (const auto& l : m.label) {
        if (l.value == stage) return m.histogram.sample_sum;
      }
    }
  }
  return 0;
}

void RunChain(benchmark::State& state, bool stage_cpu) {
  const auto config = ChainConfig();
  const auto& corpus = Corpus();
  size_t record_bytes = 0;
  for (const auto& r : corpus) record_bytes += r.size();
  static SystemClock clock;

  // Built once per process: every stage, for the shared ones (the taxonomy is
  // compiled here, untimed).
  static prometheus::Registry shared_registry;
  static const auto shared = BuildStages(*config, StageContext{&shared_registry, &clock});
  std::vector<std::shared_ptr<const Config>> single;  // a config per stage, to build one alone
  for (const auto& name : config->pipeline.stages) {
    auto c = std::make_shared<Config>(*config);
    c->pipeline.stages = {name};
    single.push_back(std::move(c));
  }

  int64_t records = 0;
  double cpu_seconds = 0;
  int64_t outputs[3] = {0, 0, 0};
  std::string label = "stages:";
  for (const auto& name : config->pipeline.stages) label += " " + name;
  for (auto _ : state) {
    state.PauseTiming();
    prometheus::Registry registry;
    PipelineProbe probe(registry);
    std::vector<std::unique_ptr<Stage>> stages;
    std::vector<double> stage_cpu_seconds(shared.size(), 0.0);
    for (size_t i = 0; i < shared.size(); ++i) {
      if (kStreamStateful.count(shared[i]->Name()) != 0) {
        auto fresh = BuildStages(*single[i], StageContext{&registry, &clock});
        stages.push_back(std::move(fresh.front()));
      } else {
        stages.push_back(std::make_unique<SharedStage>(*shared[i]));
      }
      if (stage_cpu) stages.back() = std::make_unique<CpuTimedStage>(std::move(stages.back()), &stage_cpu_seconds[i]);
    }
    Processor processor(config, std::move(stages), probe);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (const auto& record : corpus) {
      Processed out = processor.Process(record, nullptr);
      processor.Routed(out);  // the runtime counts it on its consumer thread
      ++outputs[static_cast<int>(out.output)];
      benchmark::DoNotOptimize(out);
    }
    const double cpu = ThreadCpuSeconds() - cpu_start;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.PauseTiming();
    cpu_seconds += cpu;
    records += static_cast<int64_t>(corpus.size());
    if (stage_cpu) {
      const double n = static_cast<double>(corpus.size());
      double in_stages = 0;
      summary.cpu_parts.clear();
      for (size_t i = 0; i < shared.size(); ++i) {
        const std::string name(shared[i]->Name());
        summary.cpu_parts.push_back(name);
        summary.cpu_us[name].push_back(1e6 * stage_cpu_seconds[i] / n);
        in_stages += stage_cpu_seconds[i];
      }
      summary.cpu_parts.emplace_back("decode, encode, ids, clock reads");
      summary.cpu_us["decode, encode, ids, clock reads"].push_back(1e6 * (cpu - in_stages) / n);
      summary.cpu_parts.emplace_back("total");
      summary.cpu_us["total"].push_back(1e6 * cpu / n);
      state.ResumeTiming();
      continue;
    }
    // Shares of this pass from the runtime's own stage histogram (wall time inside
    // each stage); the rest of the pass is decode, encode and ids.
    double in_stages = 0;
    summary.parts.clear();
    for (const auto& s : processor.stages()) {
      const std::string name(s->Name());
      const double seconds = StageSum(registry, name);
      summary.parts.push_back(name);
      summary.share[name].push_back(seconds / wall);
      in_stages += seconds;
    }
    summary.parts.emplace_back("decode, encode, ids");
    summary.share["decode, encode, ids"].push_back(std::max(0.0, wall - in_stages) / wall);
    summary.pass_us.push_back(1e6 * cpu / static_cast<double>(corpus.size()));
    summary.wall_vs_cpu["ratio"].push_back(wall / cpu);
    state.ResumeTiming();
  }
  const double passes = static_cast<double>(state.iterations());
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(static_cast<int64_t>(static_cast<double>(record_bytes) * passes));
  state.counters["text_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(CorpusTextBytes()) * passes, benchmark::Counter::kIsRate);
  state.counters["enriched"] = static_cast<double>(outputs[0]) / passes;
  state.counters["duplicates"] = static_cast<double>(outputs[1]) / passes;
  state.counters["dead_letters"] = static_cast<double>(outputs[2]) / passes;
  summary.us_per_article[stage_cpu ? "BM_ProcessorStageCpu" : "BM_Processor"].push_back(1e6 * cpu_seconds /
                                                                                        static_cast<double>(records));
  state.SetLabel(label);
}

void BM_Processor(benchmark::State& state) { RunChain(state, false); }
// Rates use CPU time (the default): on a shared machine that is the per-core figure.
BENCHMARK(BM_Processor)->Unit(benchmark::kMillisecond);

// The same, with each stage's thread CPU time read around its Process() call.
void BM_ProcessorStageCpu(benchmark::State& state) { RunChain(state, true); }
BENCHMARK(BM_ProcessorStageCpu)->Unit(benchmark::kMillisecond);

// References on the same records, in the same run. Each iteration is one pass over
// the corpus, like BM_Processor's.
void BM_Reference_Memcpy(benchmark::State& state) {
  const auto& corpus = Corpus();
  size_t longest = 0, bytes = 0;
  for (const auto& r : corpus) {
    longest = std::max(longest, r.size());
    bytes += r.size();
  }
  std::string dst(longest, '\0');
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) {
    for (const auto& r : corpus) {
      std::memcpy(dst.data(), r.data(), r.size());
      benchmark::DoNotOptimize(dst.data());
      benchmark::ClobberMemory();
    }
  }
  const double n = static_cast<double>(state.iterations()) * static_cast<double>(corpus.size());
  Record("BM_Reference_Memcpy", ThreadCpuSeconds() - cpu_start, n);
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(bytes * state.iterations()));
}
BENCHMARK(BM_Reference_Memcpy)->Unit(benchmark::kMicrosecond);

// simdjson's DOM parse of each record and a copy of its text: the least any
// consumer of these records does.
void BM_Reference_SimdjsonParse(benchmark::State& state) {
  const auto& corpus = Corpus();
  simdjson::dom::parser parser;
  size_t bytes = 0;
  for (const auto& r : corpus) bytes += r.size();
  std::string text;
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) {
    for (const auto& r : corpus) {
      simdjson::dom::element root;
      std::string_view v;
      if (parser.parse(r).get(root) == simdjson::SUCCESS && root["text"].get(v) == simdjson::SUCCESS) text.assign(v);
      benchmark::DoNotOptimize(text.data());
    }
  }
  const double n = static_cast<double>(state.iterations()) * static_cast<double>(corpus.size());
  Record("BM_Reference_SimdjsonParse", ThreadCpuSeconds() - cpu_start, n);
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(bytes * state.iterations()));
}
BENCHMARK(BM_Reference_SimdjsonParse)->Unit(benchmark::kMillisecond);

// The parts of Process() outside the stages, alone.
void BM_DecodeEnvelope(benchmark::State& state) {
  const auto config = ChainConfig();
  const auto& corpus = Corpus();
  size_t i = 0, bytes = 0;
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) {
    const std::string& record = corpus[i++ % corpus.size()];
    bytes += record.size();
    benchmark::DoNotOptimize(DecodeEnvelope(record, config->input));
  }
  Record("BM_DecodeEnvelope", ThreadCpuSeconds() - cpu_start, static_cast<double>(state.iterations()));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_DecodeEnvelope);

void BM_EncodeEvent(benchmark::State& state) {
  static const auto articles = PreparedCorpus(*ChainConfig(), "");
  size_t i = 0;
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) benchmark::DoNotOptimize(EncodeEvent(articles[i++ % articles.size()]));
  Record("BM_EncodeEvent", ThreadCpuSeconds() - cpu_start, static_cast<double>(state.iterations()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeEvent);

}  // namespace
}  // namespace ingestd::bench

BENCHMARK_MAIN();
