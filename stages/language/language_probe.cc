#include "stages/language/language_probe.h"

namespace ingestd::language {
namespace {

prometheus::Registry& RegistryOr(prometheus::Registry* registry, std::shared_ptr<prometheus::Registry>& own) {
  if (registry != nullptr) return *registry;
  own = std::make_shared<prometheus::Registry>();
  return *own;
}

}  // namespace

const std::initializer_list<std::string_view>& LanguageProbe::Labels() {
  // The languages our readers route on, plus the large neighbours they are confused with.
  static const std::initializer_list<std::string_view> kLabels = {
      "ar", "fa",      "prs", "ps", "ur", "ckb", "ru", "uk", "tg", "uz", "kk", "ky", "tr", "ku", "az",
      "zh", "zh-Hant", "so",  "ha", "fr", "en",  "es", "pt", "de", "id", "ms", "hi", "bn", "ug", "und"};
  return kLabels;
}

LanguageProbe::LanguageProbe(prometheus::Registry* registry)
    : articles_family_(prometheus::BuildCounter()
                           .Name("ingestd_language_articles_total")
                           .Help("Articles by detected language (BCP 47; \"other\" outside a fixed set).")
                           .Register(RegistryOr(registry, own_registry_))),
      other_(articles_family_.Add({{"language", "other"}})),
      unreliable_(prometheus::BuildCounter()
                      .Name("ingestd_language_unreliable_total")
                      .Help("Articles whose detected language is a best-effort guess (reliable=false).")
                      .Register(registry != nullptr ? *registry : *own_registry_)
                      .Add({})) {
  for (auto code : Labels()) by_language_.emplace(code, &articles_family_.Add({{"language", std::string(code)}}));
}

void LanguageProbe::Detected(std::string_view code, bool reliable) {
  const auto it = by_language_.find(code);
  (it == by_language_.end() ? other_ : *it->second).Increment();
  if (!reliable) unreliable_.Increment();
}

}  // namespace ingestd::language
