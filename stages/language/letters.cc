#include "stages/language/letters.h"

#include <utf8proc.h>

#include <array>

#include "stages/text/utf8.h"

namespace ingestd::language {
namespace {

constexpr size_t kTableSize = 0x800;

struct Entry {
  char16_t lower;  // every code point below U+0800 lower-cases below U+0800... or to itself
  uint8_t letter;
  uint8_t mark;
};

const std::array<Entry, kTableSize>& Table() {
  static const auto* table = [] {
    auto* t = new std::array<Entry, kTableSize>();
    for (utf8proc_int32_t cp = 0; cp < static_cast<utf8proc_int32_t>(kTableSize); ++cp) {
      const auto category = utf8proc_category(cp);
      const utf8proc_int32_t lower = utf8proc_tolower(cp);
      (*t)[static_cast<size_t>(cp)] = {
          static_cast<char16_t>(lower < 0x10000 ? lower : cp),
          static_cast<uint8_t>(category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO),
          static_cast<uint8_t>(category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC)};
    }
    return t;
  }();
  return *table;
}

}  // namespace

size_t NextLetter(std::string_view text, size_t i, Letter& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + i;
  const size_t left = text.size() - i;
  int32_t cp = p[0];
  size_t n = 1;
  if (cp >= 0x80) {
    n = DecodeUtf8(p, left, cp);
    if (n == 0) {
      out = {};
      return 1;
    }
  }
  if (static_cast<size_t>(cp) >= kTableSize) {
    const auto category = utf8proc_category(cp);
    out.letter = category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
    out.mark = category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC;
    out.lower = out.letter ? static_cast<char32_t>(utf8proc_tolower(cp)) : static_cast<char32_t>(cp);
    return n;
  }
  const Entry& e = Table()[static_cast<size_t>(cp)];
  out.letter = e.letter != 0;
  out.mark = e.mark != 0;
  out.lower = e.lower;
  return n;
}

size_t CountLetters(std::string_view text, size_t at_most) {
  size_t letters = 0;
  Letter l;
  for (size_t i = 0; i < text.size() && letters < at_most;) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {  // ASCII fast path
      letters += static_cast<unsigned>((b | 0x20) - 'a') < 26;
      ++i;
      continue;
    }
    i += NextLetter(text, i, l);
    letters += l.letter;
  }
  return letters;
}

}  // namespace ingestd::language
