// What every ingestd benchmark shares: the generated corpus and a config.
//
// The corpus is bench/gen_corpus output (multilingual ~6 KB articles from synthetic
// sites, 20% copies), generated once per process, or read from a file:
//   INGESTD_BENCH_CORPUS=FILE     JSON Lines to use instead of generating
//   INGESTD_BENCH_COUNT=N         records to generate (default 2000)
//   INGESTD_BENCH_SEED=N          generator seed (default 1)
//   INGESTD_BENCH_DUP_RATE=X      share of copies (default 0.2)
//   INGESTD_BENCH_CONFIG=FILE     config (default config/local.yaml)
//   INGESTD_BENCH_STAGES=a,b      stages to run (default: the config's pipeline.stages)
// Everything here runs on the benchmark's main thread, before timing starts.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "stages/article.h"

namespace ingestd::bench {

// The raw input records (one JSON object each). Exits with a message when the
// generator or the file cannot be read: a benchmark without data is meaningless.
[[nodiscard]] const std::vector<std::string>& Corpus();

// Sum of the `text` and `html` bytes of the corpus' records: the "MB of article text"
// the throughput goals are stated in.
[[nodiscard]] size_t CorpusTextBytes();

// The benchmark config: INGESTD_BENCH_CONFIG (or config/local.yaml) with
// pipeline.stages set to INGESTD_BENCH_STAGES when that is given.
[[nodiscard]] std::shared_ptr<const Config> BenchConfig();

// The corpus decoded and run through the configured stages that come before
// `stage` (all of them when `stage` is empty; none when it is the first), as a
// stage benchmark's input. Records that stop earlier (dead letters, duplicates)
// are left out.
[[nodiscard]] std::vector<Article> PreparedCorpus(const Config& config, std::string_view stage);

}  // namespace ingestd::bench
