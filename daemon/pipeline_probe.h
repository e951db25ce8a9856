// Metrics of the record path, declared once: what comes in, where it goes, how long
// each stage takes. Shared by every worker; prometheus-cpp metrics are thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ingestd {

class PipelineProbe {
 public:
  explicit PipelineProbe(prometheus::Registry& registry);

  void RecordIn(size_t bytes);
  void Enriched() { enriched_.Increment(); }
  void Duplicate() { duplicate_.Increment(); }
  void DeadLetter(const std::string& stage, const std::string& reason);
  // Index of a stage's histogram, resolved once when the chain is built.
  [[nodiscard]] prometheus::Histogram& StageSeconds(const std::string& stage);

 private:
  prometheus::Family<prometheus::Counter>& records_in_family_;
  prometheus::Counter& records_in_;
  prometheus::Counter& bytes_in_;
  prometheus::Family<prometheus::Counter>& records_out_family_;
  prometheus::Counter& enriched_;
  prometheus::Counter& duplicate_;
  prometheus::Counter& dead_letter_;
  prometheus::Family<prometheus::Counter>& dead_letters_family_;
  prometheus::Family<prometheus::Histogram>& stage_seconds_family_;
};

}  // namespace ingestd
