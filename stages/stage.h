// The Stage interface: one step of the chain.
//
// A stage takes an Article, enriches or judges it, and says what happens next.
// Stages are CPU-only: no sleeps, no network, no disk on the hot path. The runtime
// (not the stage) counts records and times stages.
//
// Threading: Process() is called concurrently from the runtime's worker threads,
// each call with a different Article. A stage that keeps state across records
// (dedupe index, boilerplate learner) guards it itself. Construction, Reload() and
// destruction happen on the control thread.
#pragma once

#include <string>
#include <string_view>

#include "stages/article.h"

namespace ingestd {

enum class Verdict {
  kContinue,    // go on to the next stage
  kDuplicate,   // stop: route to the duplicates output (article.dedupe is set)
  kDeadLetter,  // stop: route to the dead-letter output with reason and message
};

struct [[nodiscard]] StageResult {
  Verdict verdict = Verdict::kContinue;
  // For dead letters: a short snake_case code from a fixed set per stage (it is a
  // metric label, so never build it from input) and a human-readable message.
  std::string reason;
  std::string message;

  static StageResult Continue() { return {}; }
  static StageResult Duplicate() { return {Verdict::kDuplicate, {}, {}}; }
  static StageResult DeadLetter(std::string reason, std::string message) {
    return {Verdict::kDeadLetter, std::move(reason), std::move(message)};
  }
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Stable name used in config, metrics labels and dead letters.
  [[nodiscard]] virtual std::string_view Name() const = 0;
  virtual StageResult Process(Article& article) = 0;
  // Re-reads external resources (the taxonomy). Returns false with *error set and
  // keeps the old state when the new one is invalid. Most stages have nothing to do.
  virtual bool Reload(std::string* error) { return true; }
  // Saves what the stage keeps from one run to the next (the normalize learner's
  // snapshot), after the last Process(). `run` and `replay` call it when they end;
  // `check-config` never does, so validating a config writes no file.
  virtual bool Persist(std::string* error) { return true; }
};

}  // namespace ingestd
