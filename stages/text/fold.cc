#include "stages/text/fold.h"

#include <utf8proc.h>

#include <array>

namespace ingestd {
namespace {

// Script variants that Unicode normalization keeps apart but readers treat as one
// letter. utf8proc has no tailoring hook, so this small table does it.
int32_t UnifyVariant(int32_t cp) {
  switch (cp) {
    case 0x0649:  // ى alef maksura
    case 0x06CC:  // ی Farsi yeh
    case 0x06D2:  // ے yeh barree
    case 0x0626:  // ئ yeh with hamza (NFKD keeps it)
      return 0x064A;
    case 0x06A9:  // ک keheh
    case 0x06AA: return 0x0643;
    case 0x0629:  // ة teh marbuta
    case 0x06C1:  // ہ heh goal
    case 0x06D5:  // ە ae
      return 0x0647;
    case 0x0671:  // ٱ alef wasla
      return 0x0627;
    case 0x0624:  // ؤ
      return 0x0648;
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x0060:
    case 0x00B4:
    case 0x02BC:
    case 0x02BB:
    case 0x02BE:
    case 0x02BF:
    case 0x2032:
    case 0xFF07: return '\'';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE63:
    case 0xFF0D:
    case 0x00AD: return '-';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x00AB:
    case 0x00BB:
    case 0x2033: return '"';
    default: return cp;
  }
}

bool IsSpace(int32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000 || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C;
}

void AppendUtf8(int32_t cp, std::string& out) {
  std::array<utf8proc_uint8_t, 4> buf;
  const auto n = utf8proc_encode_char(cp, buf.data());
  out.append(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

}  // namespace

uint32_t FoldedText::ToOriginalEnd(size_t folded_end) const {
  // The end of a match is the start of the first original character after it.
  return origin[folded_end];
}

void FoldCodePoint(int32_t cp, std::u32string& out) {
  if (cp == 0x0640) return;  // tatweel: elongation only
  if (IsSpace(cp)) {
    out.push_back(U' ');
    return;
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char32_t>(cp == '`' ? '\'' : (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp));
    return;
  }
  std::array<utf8proc_int32_t, 8> buf;
  int last_boundclass = 0;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
  const auto n = utf8proc_decompose_char(cp, buf.data(), buf.size(), options, &last_boundclass);
  if (n < 0 || static_cast<size_t>(n) > buf.size()) {
    out.push_back(static_cast<char32_t>(cp));
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const int32_t u = UnifyVariant(buf[i]);
    if (u == 0x0640) continue;
    out.push_back(static_cast<char32_t>(IsSpace(u) ? ' ' : u));
  }
}

FoldedText Fold(std::string_view utf8) {
  FoldedText folded;
  folded.text.reserve(utf8.size());
  folded.origin.reserve(utf8.size() + 1);
  std::u32string cps;
  size_t pos = 0;
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  while (pos < utf8.size()) {
    const unsigned char c = static_cast<unsigned char>(utf8[pos]);
    if (c < 0x80) {  // ASCII fast path
      char f = static_cast<char>(c);
      if (c >= 'A' && c <= 'Z')
        f = static_cast<char>(c + 32);
      else if (c == '`')
        f = '\'';
      else if (c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C)
        f = ' ';
      folded.text.push_back(f);
      folded.origin.push_back(static_cast<uint32_t>(pos));
      ++pos;
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto len = utf8proc_iterate(data + pos, static_cast<utf8proc_ssize_t>(utf8.size() - pos), &cp);
    if (len <= 0) {  // invalid byte: keep it out of the folded view
      ++pos;
      continue;
    }
    cps.clear();
    FoldCodePoint(cp, cps);
    for (char32_t u : cps) {
      const size_t before = folded.text.size();
      AppendUtf8(static_cast<int32_t>(u), folded.text);
      folded.origin.insert(folded.origin.end(), folded.text.size() - before, static_cast<uint32_t>(pos));
    }
    pos += static_cast<size_t>(len);
  }
  folded.origin.push_back(static_cast<uint32_t>(utf8.size()));
  return folded;
}

}  // namespace ingestd
