// The whole record path, as the daemon runs it per record: decode the envelope, run
// every stage this build has, encode the event (Processor::Process), over the
// generated corpus. Reports articles/s and MB/s on one core, and each stage's share
// of the time (from ingestd_stage_seconds, the histogram the runtime exports).
//
//   build/bench/processor_bench --benchmark_min_time=5
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "bench/bench_corpus.h"
#include "daemon/envelope.h"
#include "daemon/event_writer.h"
#include "daemon/processor.h"
#include "stages/registry.h"

namespace ingestd::bench {
namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Seconds per label, summed over runs, for the share table printed at exit. Shares
// come from wall-clock stage timings (the runtime's histogram); the microseconds
// apportion the thread's CPU time by those shares, so a busy machine does not
// inflate them.
struct ShareTable {
  std::map<std::string, double> seconds;
  std::vector<std::string> order;
  double total = 0;
  double cpu = 0;
  int64_t records = 0;
  void Add(const std::string& name, double s) {
    if (!seconds.count(name)) order.push_back(name);
    seconds[name] += s;
  }
  ~ShareTable() {
    if (total <= 0) return;
    std::printf("\nShare of Processor::Process time (%lld records, %.3f s CPU, %.3f s wall):\n\n",
                static_cast<long long>(records), cpu, total);
    std::printf("| part | share | CPU us/article |\n|---|---:|---:|\n");
    for (const auto& name : order) {
      std::printf("| %s | %.1f%% | %.1f |\n", name.c_str(), 100 * seconds[name] / total,
                  1e6 * cpu * (seconds[name] / total) / records);
    }
    std::printf("| total | 100%% | %.1f |\n", 1e6 * cpu / records);
  }
};
ShareTable share_table;

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

void BM_Processor(benchmark::State& state) {
  const auto config = BenchConfig();
  const auto& corpus = Corpus();
  size_t record_bytes = 0;
  for (const auto& r : corpus) record_bytes += r.size();
  SystemClock clock;

  // One pass = the corpus through fresh stages, so stateful stages (dedupe) see
  // every pass as they would see a new stream.
  int64_t records = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  std::map<std::string, double> stage_seconds;
  std::vector<std::string> names;
  int64_t outputs[3] = {0, 0, 0};
  for (auto _ : state) {
    state.PauseTiming();
    prometheus::Registry registry;
    PipelineProbe probe(registry);
    Processor processor(config, BuildStages(*config, StageContext{&registry, &clock}), probe);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (const auto& record : corpus) {
      Processed out = processor.Process(record, nullptr);
      ++outputs[static_cast<int>(out.output)];
      benchmark::DoNotOptimize(out);
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cpu_seconds += ThreadCpuSeconds() - cpu_start;
    records += static_cast<int64_t>(corpus.size());
    state.PauseTiming();
    names.clear();
    for (const auto& s : processor.stages()) {
      names.emplace_back(s->Name());
      stage_seconds[names.back()] += StageSum(registry, names.back());
    }
    state.ResumeTiming();
  }
  const double passes = static_cast<double>(state.iterations());
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(static_cast<int64_t>(record_bytes * passes));
  state.counters["text_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(CorpusTextBytes()) * passes, benchmark::Counter::kIsRate);
  state.counters["enriched"] = static_cast<double>(outputs[0]) / passes;
  state.counters["duplicates"] = static_cast<double>(outputs[1]) / passes;
  state.counters["dead_letters"] = static_cast<double>(outputs[2]) / passes;

  double in_stages = 0;
  std::string label = "stages:";
  for (const auto& name : names) {
    share_table.Add(name, stage_seconds[name]);
    state.counters["share_" + name] = stage_seconds[name] / seconds;
    in_stages += stage_seconds[name];
    label += " " + name;
  }
  share_table.Add("decode, encode, ids", seconds - in_stages);
  state.counters["share_decode_encode"] = (seconds - in_stages) / seconds;
  share_table.total += seconds;
  share_table.cpu += cpu_seconds;
  share_table.records += records;
  state.SetLabel(label);
}
// Rates use CPU time (the default): on a shared machine that is the per-core figure.
BENCHMARK(BM_Processor)->Unit(benchmark::kMillisecond);

// The parts of Process() outside the stages, alone.
void BM_DecodeEnvelope(benchmark::State& state) {
  const auto config = BenchConfig();
  const auto& corpus = Corpus();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& record = corpus[i++ % corpus.size()];
    bytes += record.size();
    benchmark::DoNotOptimize(DecodeEnvelope(record, config->input));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_DecodeEnvelope);

void BM_EncodeEvent(benchmark::State& state) {
  const auto articles = PreparedCorpus(*BenchConfig(), "");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(EncodeEvent(articles[i++ % articles.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeEvent);

}  // namespace
}  // namespace ingestd::bench

BENCHMARK_MAIN();
