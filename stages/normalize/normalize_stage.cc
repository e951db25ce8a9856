#include "stages/normalize/normalize_stage.h"

#include "stages/normalize/canonical_url.h"
#include "stages/normalize/text_hygiene.h"
#include "stages/text/fold.h"

namespace ingestd {
namespace {

class NormalizeStage final : public Stage {
 public:
  explicit NormalizeStage(NormalizeConfig config) : config_(std::move(config)) {}

  std::string_view Name() const override { return "normalize"; }

  StageResult Process(Article& article) override {
    article.title = CleanText(article.title);
    article.text = CleanText(article.text);
    if (article.text.empty()) {
      return StageResult::DeadLetter("empty_text", "no text left after normalization");
    }
    article.canonical_url = CanonicalUrl(article.url, config_.extra_tracking_params);
    if (article.source.empty()) article.source = UrlHost(article.canonical_url);
    article.content_hash = HashText(article.text);
    article.folded_title = Fold(article.title);
    article.folded_text = Fold(article.text);
    EnsureIdentity(article);
    return StageResult::Continue();
  }

 private:
  const NormalizeConfig config_;
};

}  // namespace

std::unique_ptr<Stage> MakeNormalizeStage(const NormalizeConfig& config, const StageContext&) {
  return std::make_unique<NormalizeStage>(config);
}

}  // namespace ingestd
