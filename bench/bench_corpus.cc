#include "bench/bench_corpus.h"

#include <prometheus/registry.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "daemon/envelope.h"
#include "stages/registry.h"

namespace ingestd::bench {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "bench: " << message << "\n";
  std::exit(2);
}

std::vector<std::string> ReadLines(std::istream& in) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> Generate() {
  const std::string command = "python3 '" + std::string(INGESTD_BENCH_SOURCE_DIR) + "/bench/gen_corpus' --count " +
                              Env("INGESTD_BENCH_COUNT", "2000") + " --seed " + Env("INGESTD_BENCH_SEED", "1") +
                              " --dup-rate " + Env("INGESTD_BENCH_DUP_RATE", "0.2");
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) Die("cannot run " + command);
  std::string data;
  char buffer[1 << 16];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) data.append(buffer, n);
  if (pclose(pipe) != 0) Die("failed: " + command);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < data.size();) {
    size_t end = data.find('\n', pos);
    if (end == std::string::npos) end = data.size();
    if (end > pos) lines.emplace_back(data, pos, end - pos);
    pos = end + 1;
  }
  return lines;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= s.size();) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::shared_ptr<const Config> LoadWithStages(const std::string& file, const std::vector<std::string>& stages) {
  std::string list;
  for (const auto& s : stages) list += (list.empty() ? "" : ",") + s;
  return LoadConfig(file, {"pipeline.stages=[" + list + "]"});
}

}  // namespace

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> corpus = [] {
    const std::string file = Env("INGESTD_BENCH_CORPUS", "");
    if (file.empty()) return Generate();
    std::ifstream in(file, std::ios::binary);
    if (!in) Die("cannot open INGESTD_BENCH_CORPUS=" + file);
    return ReadLines(in);
  }();
  if (corpus.empty()) Die("the corpus is empty");
  return corpus;
}

size_t CorpusTextBytes() {
  static const size_t bytes = [] {
    simdjson::dom::parser parser;
    size_t total = 0;
    for (const auto& record : Corpus()) {
      simdjson::dom::element root;
      if (parser.parse(record).get(root) != simdjson::SUCCESS) continue;
      for (const char* field : {"text", "html"}) {
        std::string_view v;
        if (root[field].get(v) == simdjson::SUCCESS) total += v.size();
      }
    }
    return total;
  }();
  return bytes;
}

std::shared_ptr<const Config> BenchConfig() {
  static const std::shared_ptr<const Config> config = [] {
    const std::string file = Env("INGESTD_BENCH_CONFIG", std::string(INGESTD_BENCH_SOURCE_DIR) + "/config/local.yaml");
    std::vector<std::string> stages = SplitComma(Env("INGESTD_BENCH_STAGES", ""));
    try {
      // The config's own stages unless INGESTD_BENCH_STAGES names others.
      return stages.empty() ? LoadConfig(file) : LoadWithStages(file, stages);
    } catch (const std::exception& e) {
      Die(e.what());
    }
  }();
  return config;
}

std::vector<Article> PreparedCorpus(const Config& config, std::string_view stage) {
  prometheus::Registry registry;
  SystemClock clock;
  auto stages = BuildStages(config, StageContext{&registry, &clock});
  std::vector<Article> out;
  out.reserve(Corpus().size());
  for (const auto& record : Corpus()) {
    DecodeResult decoded = DecodeEnvelope(record, config.input);
    if (!std::holds_alternative<Article>(decoded)) continue;
    Article article = std::get<Article>(std::move(decoded));
    bool keep = true;
    for (auto& s : stages) {
      if (s->Name() == stage) break;
      if (s->Process(article).verdict != Verdict::kContinue) {
        keep = false;
        break;
      }
    }
    if (keep) out.push_back(std::move(article));
  }
  return out;
}

}  // namespace ingestd::bench
