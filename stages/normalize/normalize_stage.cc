#include "stages/normalize/normalize_stage.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "stages/normalize/boilerplate_learner.h"
#include "stages/normalize/boilerplate_rules.h"
#include "stages/normalize/canonical_url.h"
#include "stages/normalize/html_text.h"
#include "stages/normalize/page_cleaner.h"
#include "stages/normalize/text_hygiene.h"
#include "stages/text/fold.h"

namespace ingestd {
namespace {

// The stage's metrics, declared once. Counters are thread-safe.
class NormalizeProbe {
 public:
  explicit NormalizeProbe(prometheus::Registry& registry)
      : removed_(prometheus::BuildCounter()
                     .Name("ingestd_normalize_boilerplate_lines_removed_total")
                     .Help("Boilerplate lines removed, by layer")
                     .Register(registry)),
        rule_(removed_.Add({{"layer", "rule"}})),
        repeat_(removed_.Add({{"layer", "repeat"}})),
        digest_(removed_.Add({{"layer", "digest"}})),
        learned_(removed_.Add({{"layer", "learned"}})),
        html_(prometheus::BuildCounter()
                  .Name("ingestd_normalize_html_extracted_total")
                  .Help("Articles whose text was extracted from html")
                  .Register(registry)
                  .Add({})),
        multi_(prometheus::BuildCounter()
                   .Name("ingestd_normalize_multi_article_pages_total")
                   .Help("Pages reported with two or more segments")
                   .Register(registry)
                   .Add({})),
        sources_(prometheus::BuildGauge()
                     .Name("ingestd_normalize_learner_sources")
                     .Help("Sources the boilerplate learner holds evidence for")
                     .Register(registry)
                     .Add({})) {}

  void Record(const CleanedPage& page) {
    rule_.Increment(page.removed_by_rule);
    repeat_.Increment(page.removed_as_repeat);
    digest_.Increment(page.removed_as_digest);
    learned_.Increment(page.removed_by_learner);
    if (!page.segments.empty()) multi_.Increment();
  }
  void HtmlExtracted() { html_.Increment(); }
  void Sources(size_t n) { sources_.Set(static_cast<double>(n)); }

 private:
  prometheus::Family<prometheus::Counter>& removed_;
  prometheus::Counter& rule_;
  prometheus::Counter& repeat_;
  prometheus::Counter& digest_;
  prometheus::Counter& learned_;
  prometheus::Counter& html_;
  prometheus::Counter& multi_;
  prometheus::Gauge& sources_;
};

// Lifecycle: built and destroyed on the control thread; Process() runs on worker
// threads. Immutable after construction except the learner (locks inside) and
// the probe (atomic counters).
class NormalizeStage final : public Stage {
 public:
  NormalizeStage(NormalizeConfig config, const StageContext& context)
      : config_(std::move(config)),
        clock_(context.clock != nullptr ? context.clock : &system_clock_),
        own_registry_(context.metrics == nullptr ? std::make_unique<prometheus::Registry>() : nullptr),
        probe_(context.metrics != nullptr ? *context.metrics : *own_registry_),
        rules_(config_.boilerplate_rules),
        learner_(config_.learner.enabled ? std::make_unique<BoilerplateLearner>(config_.learner) : nullptr),
        cleaner_(config_, &rules_, learner_.get()) {
    LoadSnapshot();
    if (learner_ != nullptr) probe_.Sources(learner_->SourceCount());  // what the snapshot brought
  }

  bool Persist(std::string* error) override { return SaveSnapshot(error); }

  std::string_view Name() const override { return "normalize"; }

  StageResult Process(Article& article) override {
    if (article.text.find_first_not_of(" \t\r\n") == std::string::npos && !article.html.empty()) {
      HtmlText extracted = ExtractHtmlText(article.html);
      if (extracted.too_deep) {
        return StageResult::DeadLetter(
            "html_too_deep",
            "HTML elements nest more than " + std::to_string(kMaxHtmlDepth) + " deep; the page is not parsed");
      }
      if (extracted.too_much_nesting) {
        return StageResult::DeadLetter("html_too_deep",
                                       "HTML elements' nesting depths add up to more than " +
                                           std::to_string(kMaxHtmlNestingWork / 1'000'000) +
                                           " million (deep nesting, opened and closed again and again); "
                                           "the page is not parsed");
      }
      article.text = std::move(extracted.text);
      if (article.title.find_first_not_of(" \t\r\n") == std::string::npos) article.title = std::move(extracted.title);
      probe_.HtmlExtracted();
    }
    article.title = CleanText(article.title);
    if (article.title.find('\n') != std::string::npos) {
      for (auto& c : article.title) c = c == '\n' ? ' ' : c;
    }
    article.canonical_url = CanonicalUrl(article.url, config_.extra_tracking_params);
    if (article.source.empty()) article.source = UrlHost(article.canonical_url);

    CleanedPage page =
        cleaner_.Clean(CleanText(article.text), article.source, clock_->Now(), config_.debug_removed_lines);
    probe_.Record(page);
    // Counting takes every shard's lock: every 64 articles, not each one.
    if (learner_ != nullptr && (++processed_ & 63) == 0) probe_.Sources(learner_->SourceCount());
    if (page.text.empty()) {
      return StageResult::DeadLetter(
          "empty_after_normalize",
          "no text left after normalization (" + std::to_string(page.report.lines_removed) + " boilerplate lines)");
    }
    article.text = std::move(page.text);
    article.boilerplate = std::move(page.report);
    if (!page.segments.empty()) article.segments = std::move(page.segments);
    article.content_hash = HashText(article.text);
    article.folded_title = Fold(article.title);
    article.folded_text = Fold(article.text);
    EnsureIdentity(article);
    return StageResult::Continue();
  }

 private:
  // Snapshot I/O happens at start-up and in Persist() only (control thread), never
  // on the hot path.
  void LoadSnapshot() {
    if (learner_ == nullptr || config_.learner.snapshot.empty()) return;
    std::ifstream in(config_.learner.snapshot, std::ios::binary);
    if (!in) return;  // first start: learn from the stream
    std::string error;
    if (!learner_->Load(in, &error)) {
      std::cerr << "normalize: ignoring " << config_.learner.snapshot << ": " << error << "\n";
    }
  }
  bool SaveSnapshot(std::string* error) {
    if (learner_ == nullptr || config_.learner.snapshot.empty()) return true;
    const std::string tmp = config_.learner.snapshot + ".tmp";
    auto fail = [&](const std::string& what) {
      if (error) *error = "normalize: cannot save the learner snapshot " + config_.learner.snapshot + ": " + what;
      return false;
    };
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) return fail("cannot write " + tmp);
      learner_->Save(out);
      if (!out) return fail("cannot write " + tmp);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, config_.learner.snapshot, ec);
    if (ec) return fail(ec.message());
    return true;
  }

  const NormalizeConfig config_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::unique_ptr<prometheus::Registry> own_registry_;
  NormalizeProbe probe_;
  BoilerplateRules rules_;
  std::unique_ptr<BoilerplateLearner> learner_;
  PageCleaner cleaner_;
  std::atomic<uint64_t> processed_{0};
};

}  // namespace

std::unique_ptr<Stage> MakeNormalizeStage(const NormalizeConfig& config, const StageContext& context) {
  return std::make_unique<NormalizeStage>(config, context);
}

}  // namespace ingestd
