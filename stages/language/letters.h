// Letter scanning shared by the detector and the group model: one code point at a
// time, lower-cased, with "is it a letter (or a combining mark)" answered from a
// table for U+0000-U+07FF (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic: the
// scripts the stage looks at letter by letter) and from utf8proc above.
//
// The table is built once, on first use, and read-only after: any thread may call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ingestd::language {

struct Letter {
  char32_t lower = 0;   // lower case of the code point; unspecified when !letter
  bool letter = false;  // Unicode L* (marks: see `mark`)
  bool mark = false;    // Mn or Mc (Arabic vowel signs, Devanagari matras...)
};

// Decodes the character at text[i] into `out` and returns its length in bytes (1 for
// an invalid byte, which is no letter).
size_t NextLetter(std::string_view text, size_t i, Letter& out);

// Letters (L*) in text.
// With `at_most`, stops counting there (callers that only compare with a threshold
// need not read a whole sample).
[[nodiscard]] size_t CountLetters(std::string_view text, size_t at_most = SIZE_MAX);

}  // namespace ingestd::language
