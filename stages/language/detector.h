// Language detection: CLD2 (full tables) plus the confusable-group second opinion.
//
// Stateless and thread-safe (CLD2's detection is reentrant); one instance is
// shared by all worker threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "stages/article.h"

namespace ingestd::language {

struct DetectorInput {
  std::string_view title;
  std::string_view text;
  std::string_view language_hint;  // the envelope's `language` (e.g. "fa", "en-US"), may be empty
  std::string_view url;            // for the top-level-domain hint, may be empty
};

struct DetectorOptions {
  size_t max_sample_bytes = 1024;  // text given to CLD2 at most (title excluded)
};

// Texts with fewer letters than this are "short": the answer is a best-effort guess.
inline constexpr size_t kShortTextLetters = 60;

class LanguageDetector {
 public:
  explicit LanguageDetector(DetectorOptions options) : options_(options) {}

  // The stage's answer. code is empty when nothing could be detected (no letters).
  [[nodiscard]] LanguageResult Detect(const DetectorInput& input) const;

  // The reference: CLD2 alone over `text` (full tables, no hints, no sampling), its
  // top language mapped to BCP 47. best_effort sets kCLDFlagBestEffort, without
  // which CLD2 answers "unknown" on short text.
  [[nodiscard]] static std::string Cld2Only(std::string_view text, bool best_effort);

 private:
  const DetectorOptions options_;
};

// Evenly spaced windows of `text` (4 to 8, about 256 bytes each) totalling about
// max_bytes, cut on UTF-8 and whitespace boundaries and joined by newlines, plus up to
// two windows for scripts that have at least 3% of the whole text's letters but that
// the evenly spaced windows missed; `text` itself when it fits.
[[nodiscard]] std::string SampleText(std::string_view text, size_t max_bytes);

// "news.example.af" -> "af"; "" when the URL has no alphabetic TLD.
[[nodiscard]] std::string TopLevelDomain(std::string_view url);

}  // namespace ingestd::language
