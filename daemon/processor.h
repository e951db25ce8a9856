// Turns one input message into exactly one output: decode the envelope, run the
// stage chain, encode the event. The same object serves the Kafka runtime and
// `ingestd replay`, so both produce identical events.
//
// Threading: Process() is called concurrently from worker threads; the Processor
// itself holds only immutable state and the (thread-safe) stages and probe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/event_writer.h"
#include "daemon/pipeline_probe.h"
#include "stages/stage.h"

namespace ingestd {

enum class Output { kEnriched, kDuplicates, kDeadLetter };
[[nodiscard]] const char* OutputName(Output output);

struct Processed {
  Output output = Output::kEnriched;
  std::string key;             // article id; empty for dead letters (they keep the input key)
  std::string value;           // the encoded event; empty for dead letters
  DeadLetterInfo dead_letter;  // set when output == kDeadLetter
};

class Processor {
 public:
  Processor(std::shared_ptr<const Config> config, std::vector<std::unique_ptr<Stage>> stages, PipelineProbe& probe);

  // Runs the chain. Counts the record in (ingestd_records_in_total) and each stage's
  // time; not where it goes: see Routed.
  [[nodiscard]] Processed Process(std::string_view bytes, const InputPosition* position);

  // Counts a record under the output it ended in (ingestd_records_out_total and, for a
  // dead letter, ingestd_dead_letters_total by stage and reason). Called once that is
  // final: the Kafka runtime calls it when the broker acknowledges the record, because
  // an event too large to send becomes an output/too_large dead letter at the produce;
  // replay calls it when it writes the line.
  void Routed(const Processed& p);

  // Reloads every stage (SIGHUP, POST /reload). Control thread only.
  bool Reload(std::string* error);

  [[nodiscard]] const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }

 private:
  std::shared_ptr<const Config> config_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<prometheus::Histogram*> stage_seconds_;
  PipelineProbe& probe_;
};

}  // namespace ingestd
