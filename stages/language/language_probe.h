// Metrics of the language stage, declared once. Shared by every worker thread;
// prometheus-cpp counters are thread-safe and every label value is created in the
// constructor, so the hot path never touches the registry.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>
#include <string_view>
#include <unordered_map>

namespace ingestd::language {

class LanguageProbe {
 public:
  // `registry` may be null (unit tests): the probe then keeps a private registry.
  explicit LanguageProbe(prometheus::Registry* registry);

  // Counts one article under its language (or "other" outside the fixed label set).
  void Detected(std::string_view code, bool reliable);

  // The fixed label set of ingestd_language_articles_total, besides "other" and "und".
  static const std::initializer_list<std::string_view>& Labels();

 private:
  std::shared_ptr<prometheus::Registry> own_registry_;
  prometheus::Family<prometheus::Counter>& articles_family_;
  std::unordered_map<std::string_view, prometheus::Counter*> by_language_;
  prometheus::Counter& other_;
  prometheus::Counter& unreliable_;
};

}  // namespace ingestd::language
