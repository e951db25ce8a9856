// Character classes shared by the stages that cut text into words (dedupe's
// shingles, tagging's word boundaries), so both agree on what a word is and on
// which scripts have no spaces between words. Inline: dedupe calls them for every
// character of an article.
#pragma once

#include <utf8proc.h>

#include <array>
#include <cstdint>

namespace ingestd {

// Letters, combining marks and numbers of any script (utf8proc's categories L*, M[nc], N*).
[[nodiscard]] inline bool IsWordCharSlow(int32_t cp) {
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

namespace script_internal {
// IsWordCharSlow for every BMP code point, one bit each (8 KiB), built on first use:
// a bit test instead of a library call per character.
inline const std::array<uint64_t, 1024>& WordCharBmp() {
  static const std::array<uint64_t, 1024> bits = [] {
    std::array<uint64_t, 1024> b{};
    for (int32_t cp = 0; cp < 0x10000; ++cp) {
      if (IsWordCharSlow(cp)) b[static_cast<size_t>(cp) >> 6] |= uint64_t{1} << (cp & 63);
    }
    return b;
  }();
  return bits;
}
}  // namespace script_internal

// Letters, combining marks and numbers of any script (utf8proc's categories L*, M[nc], N*).
// `bmp` is script_internal::WordCharBmp(): a loop over many characters passes it in and
// saves the static's guard at each (1% of the whole chain, in dedupe's tokenizer).
[[nodiscard]] inline bool IsWordChar(int32_t cp, const std::array<uint64_t, 1024>& bmp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0x10000) return (bmp[static_cast<size_t>(cp) >> 6] >> (cp & 63)) & 1;
  return IsWordCharSlow(cp);
}
[[nodiscard]] inline bool IsWordChar(int32_t cp) { return IsWordChar(cp, script_internal::WordCharBmp()); }

// Scripts written without spaces between words, one definition for every stage
// (dedupe's shingles, tagging's word boundaries). Ranges are Unicode blocks; the
// three classes never overlap.

// Han ideographs and Japanese kana: dedupe makes every character a token.
[[nodiscard]] inline bool IsHanOrKana(int32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||  // hiragana, katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||  // katakana phonetic extensions
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0x20000 && cp <= 0x3FFFF);  // extensions B and after (planes 2 and 3)
}

// Thai, Lao, Tibetan, Myanmar, Khmer: Brahmic scripts without spaces between words;
// dedupe makes every character a token of its own class.
[[nodiscard]] inline bool IsUnspacedBrahmic(int32_t cp) {
  return (cp >= 0x0E00 && cp <= 0x0FFF) ||  // Thai, Lao, Tibetan
         (cp >= 0x1000 && cp <= 0x109F) ||  // Myanmar
         (cp >= 0x1780 && cp <= 0x17FF);    // Khmer
}

// Korean Hangul. Written with spaces, so dedupe cuts it into words like any spaced
// script; but particles attach to the word before them (서울에서), so tagging
// matches a Korean name with no word boundary after it.
[[nodiscard]] inline bool IsHangul(int32_t cp) {
  return (cp >= 0x1100 && cp <= 0x11FF) ||  // jamo
         (cp >= 0x3130 && cp <= 0x318F) ||  // compatibility jamo
         (cp >= 0xA960 && cp <= 0xA97F) ||  // jamo extended A
         (cp >= 0xAC00 && cp <= 0xD7FF);    // syllables, jamo extended B
}

// Where a match needs no word boundary (tagging).
[[nodiscard]] inline bool IsUnspacedScript(int32_t cp) {
  return IsHanOrKana(cp) || IsUnspacedBrahmic(cp) || IsHangul(cp);
}

}  // namespace ingestd
