#include "stages/normalize/text_hygiene.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace ingestd {
namespace {

bool IsDropped(int32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return true;  // C0, DEL, C1
  switch (cp) {
    case 0x200B:  // zero width space
    case 0x200D:  // ZWJ (emoji sequences aside, scrapes only carry it by accident)
    case 0x2060:  // word joiner
    case 0xFEFF:  // BOM
    case 0x00AD:  // soft hyphen
    case 0x200E:
    case 0x200F:  // LRM, RLM
    case 0x202A:
    case 0x202B:
    case 0x202C:
    case 0x202D:
    case 0x202E:
    case 0x2066:
    case 0x2067:
    case 0x2068:
    case 0x2069: return true;
    default: return false;
  }
}

bool IsHorizontalSpace(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

std::string Nfc(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(s);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(out, &std::free);
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

}  // namespace

std::string CleanText(std::string_view utf8) {
  const std::string nfc = Nfc(utf8);
  std::string out;
  out.reserve(nfc.size());
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(nfc.data());
  size_t pos = 0;
  int pending_newlines = 0;
  bool pending_space = false;
  while (pos < nfc.size()) {
    int32_t cp = 0;
    const auto len = utf8proc_iterate(data + pos, static_cast<utf8proc_ssize_t>(nfc.size() - pos), &cp);
    if (len <= 0) {
      ++pos;
      continue;
    }
    const std::string_view bytes(nfc.data() + pos, static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
    if (cp == '\r') {
      // \r\n and lone \r both become one line break.
      if (pos < nfc.size() && nfc[pos] == '\n') continue;
      cp = '\n';
    }
    if (cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x0B || cp == 0x0C || cp == 0x85) {
      ++pending_newlines;
      pending_space = false;
      continue;
    }
    if (IsDropped(cp)) continue;
    if (IsHorizontalSpace(cp)) {
      pending_space = true;
      continue;
    }
    if (!out.empty()) {
      if (pending_newlines > 0) {
        out += pending_newlines > 1 ? "\n\n" : "\n";
      } else if (pending_space) {
        out += ' ';
      }
    }
    pending_newlines = 0;
    pending_space = false;
    out.append(bytes);
  }
  return out;
}

}  // namespace ingestd
