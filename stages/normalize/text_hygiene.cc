#include "stages/normalize/text_hygiene.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace ingestd {
namespace {

constexpr int32_t kZwnj = 0x200C;
constexpr int32_t kZwj = 0x200D;

bool IsDropped(int32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return true;  // C0, DEL, C1
  switch (cp) {
    case 0x200B:  // zero width space
    case 0x2060:  // word joiner
    case 0xFEFF:  // BOM
    case 0x00AD:  // soft hyphen
    case 0x180E:  // Mongolian vowel separator (was a space)
    case 0x200E:
    case 0x200F:  // LRM, RLM
    case 0x061C:  // Arabic letter mark
    case 0x202A:
    case 0x202B:
    case 0x202C:
    case 0x202D:
    case 0x202E:
    case 0x2066:
    case 0x2067:
    case 0x2068:
    case 0x2069:
    case 0xFFFE:
    case 0xFFFF: return true;
    default: return false;
  }
}

bool IsHorizontalSpace(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool IsLineBreak(int32_t cp) {
  return cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x0B || cp == 0x0C || cp == 0x85;
}

// Scripts whose letters take ZWNJ/ZWJ to choose joining forms: Arabic (Persian,
// Urdu, Pashto...), Syriac, N'Ko, the Indic scripts, Sinhala.
bool IsJoiningScript(int32_t cp) {
  return (cp >= 0x0600 && cp <= 0x08FF) || (cp >= 0x0900 && cp <= 0x0DFF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFF);
}

// Emoji sequences (family, profession, flags) are glued with ZWJ.
bool IsEmojiLike(int32_t cp) { return cp >= 0x1F000 || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0xFE0F; }

// Code points in [0x300, 0x30000) that NFC may change or compose with what comes
// before: built once by asking utf8proc (about 24 KB).
class NfcUnstable {
 public:
  NfcUnstable() : bits_((kEnd - kStart + 63) / 64, 0) {
    for (int32_t cp = kStart; cp < kEnd; ++cp) {
      if (cp >= 0xD800 && cp < 0xE000) continue;
      const utf8proc_property_t* p = utf8proc_get_property(cp);
      bool unstable = p->combining_class != 0 || p->comp_exclusion ||
                      (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000) || (cp >= 0x1100 && cp < 0x1200);
      if (!unstable && p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0) {
        // Singletons (U+212B Angstrom sign -> U+00C5) never come back from NFC.
        std::array<utf8proc_uint8_t, 8> buf{};
        const auto n = utf8proc_encode_char(cp, buf.data());
        utf8proc_uint8_t* out = nullptr;
        const auto m =
            utf8proc_map(buf.data(), n, &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
        unstable = m != n || std::equal(buf.data(), buf.data() + n, out) == false;
        std::free(out);
      }
      if (unstable) bits_[(cp - kStart) / 64] |= uint64_t{1} << ((cp - kStart) % 64);
    }
  }
  [[nodiscard]] bool Test(int32_t cp) const {
    if (cp < kStart || cp >= kEnd) return false;
    return (bits_[(cp - kStart) / 64] >> ((cp - kStart) % 64)) & 1;
  }

 private:
  static constexpr int32_t kStart = 0x300;
  static constexpr int32_t kEnd = 0x30000;
  std::vector<uint64_t> bits_;
};

const NfcUnstable& Unstable() {
  static const NfcUnstable table;
  return table;
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

// Decodes one code point at pos (input is valid UTF-8; a stray byte is skipped).
inline int32_t Next(std::string_view s, size_t& pos) {
  const auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) {
    ++pos;
    return c;
  }
  int32_t cp = -1;
  const auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()) + pos,
                                    static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  pos += len > 0 ? static_cast<size_t>(len) : 1;
  return len > 0 ? cp : -1;
}

inline bool IsPrintableAscii(char c) {
  return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
}

// The cleaning pass over NFC-stable text.
std::string CleanStable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t pos = 0;
  int pending_newlines = 0;
  bool pending_space = false;
  int32_t pending_joiner = 0;  // ZWNJ/ZWJ waiting for the next character to decide
  int32_t last = 0;            // last code point written
  while (pos < in.size()) {
    const size_t start = pos;
    // Fast path: a run of printable ASCII other than space is copied as is.
    if (IsPrintableAscii(in[pos])) {
      // Single spaces between printable ASCII stay inside the run.
      size_t end = pos + 1;
      while (end < in.size()) {
        if (IsPrintableAscii(in[end])) {
          ++end;
        } else if (in[end] == ' ' && end + 1 < in.size() && IsPrintableAscii(in[end + 1])) {
          end += 2;
        } else {
          break;
        }
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
      pending_joiner = 0;
      out.append(in.data() + pos, end - pos);
      last = static_cast<unsigned char>(in[end - 1]);
      pos = end;
      continue;
    }
    int32_t cp = Next(in, pos);
    if (cp < 0) continue;
    if (cp == '\r') {
      // \r\n and lone \r both become one line break.
      if (pos < in.size() && in[pos] == '\n') continue;
      cp = '\n';
    }
    if (IsLineBreak(cp)) {
      ++pending_newlines;
      pending_space = false;
      pending_joiner = 0;
      continue;
    }
    if (cp == kZwnj || cp == kZwj) {
      const bool keep = cp == kZwnj ? IsJoiningScript(last) : (IsJoiningScript(last) || IsEmojiLike(last));
      pending_joiner = keep && !pending_space && pending_newlines == 0 ? cp : 0;
      continue;
    }
    if (IsDropped(cp)) continue;
    if (IsHorizontalSpace(cp)) {
      pending_space = true;
      pending_joiner = 0;
      continue;
    }
    if (!out.empty()) {
      if (pending_newlines > 0) {
        out += pending_newlines > 1 ? "\n\n" : "\n";
      } else if (pending_space) {
        out += ' ';
      } else if (pending_joiner != 0 &&
                 (pending_joiner == kZwnj ? IsJoiningScript(cp) : (IsJoiningScript(cp) || IsEmojiLike(cp)))) {
        out += pending_joiner == kZwnj ? "\u200C" : "\u200D";
      }
    }
    pending_newlines = 0;
    pending_space = false;
    pending_joiner = 0;
    out.append(in.substr(start, pos - start));
    last = cp;
  }
  return out;
}

}  // namespace

bool IsNfcStable(std::string_view utf8) {
  const NfcUnstable& table = Unstable();
  size_t pos = 0;
  const size_t n = utf8.size();
  while (pos < n) {
    // Eight ASCII bytes at a time.
    if (pos + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, utf8.data() + pos, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        pos += 8;
        continue;
      }
    }
    // Then ASCII and two-byte sequences below U+0300 one by one.
    const auto c = static_cast<unsigned char>(utf8[pos]);
    if (c < 0xCC) {
      pos += c < 0x80 ? 1 : 2;
      continue;
    }
    const int32_t cp = Next(utf8, pos);
    if (table.Test(cp)) return false;
  }
  return true;
}

std::string CleanText(std::string_view utf8) {
  if (IsNfcStable(utf8)) return CleanStable(utf8);
  return CleanStable(Nfc(utf8));
}

}  // namespace ingestd
