// The tagging stage's metrics, declared once. Created on the control thread; the
// taxonomy gauges are updated on the control thread (start-up, Reload), the tag
// counters from worker threads (prometheus-cpp counters are thread-safe).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "stages/article.h"

namespace ingestd {

class TaggingProbe {
 public:
  // A null registry gets a private one (unit tests).
  explicit TaggingProbe(prometheus::Registry* registry);

  void Reloaded() { reloads_.Increment(); }
  void ReloadFailed() { reload_failures_.Increment(); }
  // Publishes the taxonomy in use: its version as an info label (one series at a
  // time), entity and pattern counts, compile time.
  // Counts the tags attached to one article by type (worker threads).
  void Tagged(const std::vector<Tag>& tags);
  void Loaded(const std::string& version, double entities, double patterns, double database_bytes,
              double compile_seconds);

 private:
  std::shared_ptr<prometheus::Registry> own_;
  prometheus::Counter& reloads_;
  prometheus::Counter& reload_failures_;
  prometheus::Family<prometheus::Gauge>& info_family_;
  prometheus::Gauge* info_ = nullptr;
  prometheus::Gauge& entities_;
  prometheus::Gauge& patterns_;
  prometheus::Gauge& database_bytes_;
  prometheus::Gauge& compile_seconds_;
  // One counter per taxonomy type, resolved once: the label set is fixed.
  std::array<prometheus::Counter*, 5> tags_by_type_{};
};

}  // namespace ingestd
