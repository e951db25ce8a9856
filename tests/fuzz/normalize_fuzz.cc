// The normalize stage (text hygiene, canonical URLs) and Fold() over arbitrary
// title, text and URL. Oracles: normalized text and titles stay valid UTF-8 when
// the input was; a folded view maps every byte back inside the original, in order.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/normalize_config.h"
#include "daemon/envelope.h"
#include "stages/normalize/normalize_stage.h"
#include "stages/text/fold.h"
#include "stages/text/utf8.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

void CheckFolded(const ingestd::FoldedText& folded, size_t original_size) {
  INGESTD_FUZZ_CHECK(folded.origin.size() == folded.text.size() + 1);
  INGESTD_FUZZ_CHECK(folded.origin.back() == original_size);
  for (size_t i = 0; i + 1 < folded.origin.size(); ++i) {
    INGESTD_FUZZ_CHECK(folded.origin[i] <= folded.origin[i + 1]);
  }
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(folded.text.data(), folded.text.size()));
}

// Input as the stage sees it: decoding has made it valid UTF-8.
std::string Utf8(const std::string& s) {
  std::string out;
  ingestd::RepairUtf8(s, out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingestd;
  static const std::unique_ptr<Stage> stage = MakeNormalizeStage(NormalizeConfig{}, StageContext{});
  FuzzedDataProvider in(data, size);
  Article article;
  article.url = in.ConsumeRandomLengthString(512);
  article.title = Utf8(in.ConsumeRandomLengthString(512));
  article.text = Utf8(in.ConsumeRemainingBytesAsString());

  const FoldedText folded = Fold(article.text);
  CheckFolded(folded, article.text.size());

  StageResult result = stage->Process(article);
  if (result.verdict == Verdict::kDeadLetter) {
    INGESTD_FUZZ_CHECK(fuzz::IsSnakeCase(result.reason));
    return 0;
  }
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(article.text.data(), article.text.size()));
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(article.title.data(), article.title.size()));
  if (!article.folded_text.origin.empty()) CheckFolded(article.folded_text, article.text.size());
  return 0;
}
