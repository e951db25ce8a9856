// The dedupe stage: exact, near-duplicate, revision and story links against the
// articles of the time window. See README.md here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/dedupe_config.h"
#include "stages/dedupe/dedupe_index.h"
#include "stages/dedupe/index_entry.h"
#include "stages/registry.h"
#include "stages/stage.h"

namespace ingestd {

// What the daemon may do with the dedupe stage besides running it. Everything
// here runs on the control thread except ApplyEntry (any thread; it takes the
// index lock like Process()).
class DedupeStage : public Stage {
 public:
  // Attaches the shared log each newly indexed entry (and each expiry) goes to.
  // Call before the first Process(); the log must outlive the stage.
  virtual void SetLog(dedupe::IndexLog* log) = 0;
  // Adds an entry read from the shared log (restore, or another replica's).
  // Returns false when it was already indexed or is outside the window.
  virtual bool ApplyEntry(const dedupe::IndexEntry& entry) = 0;
  // Writes the snapshot file when one is configured (after the last Process()).
  [[nodiscard]] virtual bool Flush(std::string* error) = 0;
  [[nodiscard]] virtual dedupe::IndexStats Stats() const = 0;
};

// Loads dedupe.snapshot_file when it exists; throws std::runtime_error when it
// cannot be read.
[[nodiscard]] std::unique_ptr<Stage> MakeDedupeStage(const DedupeConfig& config, const StageContext& context);

// The chain's dedupe stage, or null when the pipeline has none.
[[nodiscard]] DedupeStage* FindDedupeStage(const std::vector<std::unique_ptr<Stage>>& stages);

namespace dedupe {
// Snapshot file I/O (also used by the restore benchmark).
void SaveSnapshot(const DedupeIndex& index, const std::string& path);           // throws std::runtime_error
size_t LoadSnapshot(DedupeIndex& index, const std::string& path, int64_t now);  // entries applied; throws
}  // namespace dedupe

}  // namespace ingestd
