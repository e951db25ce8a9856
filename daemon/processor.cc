#include "daemon/processor.h"

#include <chrono>
#include <exception>

#include "daemon/envelope.h"

namespace ingestd {

const char* OutputName(Output output) {
  switch (output) {
    case Output::kEnriched: return "enriched";
    case Output::kDuplicates: return "duplicates";
    case Output::kDeadLetter: return "dead_letter";
  }
  return "enriched";
}

Processor::Processor(std::shared_ptr<const Config> config, std::vector<std::unique_ptr<Stage>> stages,
                     PipelineProbe& probe)
    : config_(std::move(config)), stages_(std::move(stages)), probe_(probe) {
  for (const auto& s : stages_) stage_seconds_.push_back(&probe_.StageSeconds(std::string(s->Name())));
}

Processed Processor::Process(std::string_view bytes, const InputPosition* position) {
  probe_.RecordIn(bytes.size());
  Processed out;
  auto dead = [&](std::string stage, std::string reason, std::string message) {
    out.output = Output::kDeadLetter;
    out.dead_letter = DeadLetterInfo{std::move(stage), std::move(reason), std::move(message)};
    return out;
  };

  DecodeResult decoded = DecodeEnvelope(bytes, config_->input);
  if (auto* err = std::get_if<DecodeError>(&decoded)) return dead("parse", err->reason, err->message);
  Article& article = std::get<Article>(decoded);
  if (position) article.input = *position;

  for (size_t i = 0; i < stages_.size(); ++i) {
    Stage& stage = *stages_[i];
    const auto start = std::chrono::steady_clock::now();
    StageResult result;
    try {
      result = stage.Process(article);
    } catch (const std::exception& e) {
      // Stages return errors as values; an exception here is a bug in a stage,
      // but one bad record must not take the whole daemon down with it.
      result = StageResult::DeadLetter("internal_error", e.what());
    }
    stage_seconds_[i]->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (result.verdict == Verdict::kDeadLetter) {
      return dead(std::string(stage.Name()), std::move(result.reason), std::move(result.message));
    }
    if (result.verdict == Verdict::kDuplicate) {
      out.output = Output::kDuplicates;
      break;
    }
  }
  EnsureIdentity(article);
  article.processed_at = NowRfc3339();
  out.key = article.id;
  out.value = EncodeEvent(article);
  return out;
}

void Processor::Routed(const Processed& p) {
  switch (p.output) {
    case Output::kEnriched: probe_.Enriched(); break;
    case Output::kDuplicates: probe_.Duplicate(); break;
    case Output::kDeadLetter: probe_.DeadLetter(p.dead_letter.stage, p.dead_letter.reason); break;
  }
}

bool Processor::Reload(std::string* error) {
  bool ok = true;
  for (auto& s : stages_) {
    std::string e;
    if (!s->Reload(&e)) {
      ok = false;
      if (error) *error += (error->empty() ? "" : "; ") + std::string(s->Name()) + ": " + e;
    }
  }
  return ok;
}

}  // namespace ingestd
