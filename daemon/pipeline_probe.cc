#include "daemon/pipeline_probe.h"

namespace ingestd {
namespace {

prometheus::Histogram::BucketBoundaries StageBuckets() {
  // 1 µs to ~4 s, doubling: stages run from microseconds (normalize of a short
  // post) to milliseconds (tagging a long page).
  prometheus::Histogram::BucketBoundaries b;
  for (double v = 1e-6; v < 5; v *= 2) b.push_back(v);
  return b;
}

}  // namespace

PipelineProbe::PipelineProbe(prometheus::Registry& registry)
    : records_in_family_(prometheus::BuildCounter()
                             .Name("ingestd_records_in_total")
                             .Help("Input records taken into the stage chain.")
                             .Register(registry)),
      records_in_(records_in_family_.Add({})),
      bytes_in_(prometheus::BuildCounter()
                    .Name("ingestd_record_bytes_in_total")
                    .Help("Bytes of input record values taken into the stage chain.")
                    .Register(registry)
                    .Add({})),
      records_out_family_(prometheus::BuildCounter()
                              .Name("ingestd_records_out_total")
                              .Help("Records routed to an output, by output (enriched, duplicates, dead_letter).")
                              .Register(registry)),
      enriched_(records_out_family_.Add({{"output", "enriched"}})),
      duplicate_(records_out_family_.Add({{"output", "duplicates"}})),
      dead_letter_(records_out_family_.Add({{"output", "dead_letter"}})),
      dead_letters_family_(prometheus::BuildCounter()
                               .Name("ingestd_dead_letters_total")
                               .Help("Dead letters by the stage that rejected the record and its reason code.")
                               .Register(registry)),
      stage_seconds_family_(prometheus::BuildHistogram()
                                .Name("ingestd_stage_seconds")
                                .Help("Time one record spends in one stage.")
                                .Register(registry)) {}

void PipelineProbe::RecordIn(size_t bytes) {
  records_in_.Increment();
  bytes_in_.Increment(static_cast<double>(bytes));
}

void PipelineProbe::DeadLetter(const std::string& stage, const std::string& reason) {
  dead_letter_.Increment();
  dead_letters_family_.Add({{"stage", stage}, {"reason", reason}}).Increment();
}

prometheus::Histogram& PipelineProbe::StageSeconds(const std::string& stage) {
  return stage_seconds_family_.Add({{"stage", stage}}, StageBuckets());
}

}  // namespace ingestd
