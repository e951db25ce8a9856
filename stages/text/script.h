// Character classes shared by the stages that cut text into words (dedupe's
// shingles, tagging's word boundaries), so both agree on what a word is. Inline:
// dedupe calls it for every character of an article.
#pragma once

#include <utf8proc.h>

#include <cstdint>

namespace ingestd {

// Letters, combining marks and numbers of any script (utf8proc's categories L*, M[nc], N*).
[[nodiscard]] inline bool IsWordChar(int32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return true;
    default: return false;
  }
}

}  // namespace ingestd
