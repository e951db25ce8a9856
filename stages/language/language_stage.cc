#include "stages/language/language_stage.h"

#include "stages/language/detector.h"
#include "stages/language/language_probe.h"

namespace ingestd {
namespace {

// Lifecycle: built on the control thread; Process() runs concurrently on worker
// threads. The detector is stateless and the probe's counters are thread-safe,
// so nothing here needs a lock.
class LanguageStage final : public Stage {
 public:
  LanguageStage(const LanguageConfig& config, prometheus::Registry* metrics)
      : detector_({.max_sample_bytes = static_cast<size_t>(config.max_sample_bytes)}), probe_(metrics) {}

  std::string_view Name() const override { return "language"; }

  StageResult Process(Article& article) override {
    article.language = detector_.Detect({.title = article.title,
                                         .text = article.text,
                                         .language_hint = article.language_hint,
                                         .url = article.canonical_url.empty() ? article.url : article.canonical_url});
    probe_.Detected(article.language->code, article.language->reliable);
    return StageResult::Continue();
  }

 private:
  const language::LanguageDetector detector_;
  language::LanguageProbe probe_;
};

}  // namespace

std::unique_ptr<Stage> MakeLanguageStage(const LanguageConfig& config, const StageContext& context) {
  return std::make_unique<LanguageStage>(config, context.metrics);
}

}  // namespace ingestd
