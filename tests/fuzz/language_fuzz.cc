// The language stage on arbitrary (valid UTF-8) title, text, hint and URL. Oracles:
// the stage never dead-letters for content; a detected language has a plausible
// BCP 47 code, a confidence in [0, 1] and shares in [0, 100].
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/language_config.h"
#include "daemon/envelope.h"
#include "stages/language/language_stage.h"
#include "stages/text/utf8.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::string Utf8(const std::string& s) {
  std::string out;
  ingestd::RepairUtf8(s, out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingestd;
  static const std::unique_ptr<Stage> stage = MakeLanguageStage(LanguageConfig{}, StageContext{});
  FuzzedDataProvider in(data, size);
  Article article;
  article.language_hint = Utf8(in.ConsumeRandomLengthString(16));
  article.url = in.ConsumeRandomLengthString(128);
  article.canonical_url = article.url;
  article.title = Utf8(in.ConsumeRandomLengthString(256));
  article.text = Utf8(in.ConsumeRemainingBytesAsString());

  StageResult result = stage->Process(article);
  INGESTD_FUZZ_CHECK(result.verdict == Verdict::kContinue);
  if (article.language) {
    const LanguageResult& l = *article.language;
    INGESTD_FUZZ_CHECK(!l.code.empty() && l.code.size() <= 16);
    INGESTD_FUZZ_CHECK(l.confidence >= 0.0 && l.confidence <= 1.0);
    for (const auto& other : l.others) {
      INGESTD_FUZZ_CHECK(other.percent >= 0.0 && other.percent <= 100.0);
    }
  }
  return 0;
}
