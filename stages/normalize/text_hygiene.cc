#include "stages/normalize/text_hygiene.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "stages/text/utf8.h"

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
  const size_t len = DecodeUtf8(reinterpret_cast<const unsigned char*>(s.data()) + pos, s.size() - pos, cp);
  pos += len > 0 ? len : 1;
  return len > 0 ? cp : -1;
}

// True for a non-ASCII code point that the cleaning pass copies as it is: not a
// line break, joiner, dropped character or space. The ranges tested first hold
// none of those (see IsLineBreak, IsDropped, IsHorizontalSpace), so most letters
// of any script are settled by them.
inline bool IsPlainNonAscii(int32_t cp) {
  if ((cp > 0xAD && cp < 0x061C) || (cp > 0x061C && cp < 0x1680) || (cp >= 0x2070 && cp < 0x3000) ||
      (cp > 0x3000 && cp < 0xFEFF) || cp > 0xFFFF) {
    return true;
  }
  return !(IsLineBreak(cp) || cp == kZwnj || cp == kZwj || IsDropped(cp) || IsHorizontalSpace(cp));
}

inline bool IsPrintableAscii(char c) {
  return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
}

// For the code points of two-byte sequences (below U+0800), one bit each: plain
// (IsPlainNonAscii), and plain and NFC-stable. Built once.
struct TwoByteTable {
  std::array<uint64_t, 32> plain{};
  std::array<uint64_t, 32> plain_stable{};
};

const TwoByteTable& TwoByte() {
  static const TwoByteTable table = [] {
    TwoByteTable t;
    for (int32_t cp = 0x80; cp < 0x800; ++cp) {
      if (!IsPlainNonAscii(cp)) continue;
      t.plain[static_cast<size_t>(cp) >> 6] |= uint64_t{1} << (cp & 63);
      if (!Unstable().Test(cp)) t.plain_stable[static_cast<size_t>(cp) >> 6] |= uint64_t{1} << (cp & 63);
    }
    return t;
  }();
  return table;
}

// True when the eight bytes are printable ASCII with single spaces between them and
// no space last (so each space is followed by a printable byte in the word). A run
// is only extended after a plain character, so a space first is a single space.
inline bool PlainAsciiWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  if (((w + kOnes) | w) & kHigh) return false;                   // a byte >= 0x7F
  if ((w - 0x20 * kOnes) & ~w & kHigh) return false;             // a byte < 0x20
  const uint64_t x = w ^ (0x20 * kOnes);                         // spaces become zero bytes
  const uint64_t spaces = ~(((x & kLow7) + kLow7) | x | kLow7);  // 0x80 in each space byte
  return (spaces & (spaces >> 8)) == 0 && (spaces >> 63) == 0;
}

// The end of the run of plain characters from pos: printable ASCII and
// IsPlainNonAscii code points, with single spaces between them. Inside such a run
// the cleaning pass writes every byte as it is (no pending break, space or joiner
// to decide), so the run is copied in one piece. Sets last to the run's last code
// point (unchanged when the run is empty). With `unstable` set, stops at a code
// point that table marks (NFC may change it) and sets *unstable.
inline size_t PlainRunEnd(std::string_view in, size_t pos, int32_t& last, const NfcUnstable* table = nullptr,
                          bool* unstable = nullptr) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  const TwoByteTable& two = TwoByte();
  const uint64_t* two_ok = table != nullptr ? two.plain_stable.data() : two.plain.data();
  size_t end = pos;
  size_t last_start = SIZE_MAX;
  int32_t last_cp = 0;
  while (end < n) {
    const unsigned char c = p[end];
    if (c > 0x20 && c < 0x7F) {
      uint64_t word;
      if (end + 8 <= n && (std::memcpy(&word, p + end, 8), PlainAsciiWord(word))) {
        last_start = end + 7;
        end += 8;
      } else {
        last_start = end++;
      }
      continue;
    }
    size_t at = end;
    if (c == ' ') {
      if (end + 1 >= n) break;
      at = end + 1;
      const unsigned char d = p[at];
      if (d > 0x20 && d < 0x7F) {
        last_start = at;
        end = at + 1;
        continue;
      }
      if (d < 0x80) break;
    } else if (c < 0x80) {
      break;
    }
    // Two-byte sequences (Latin, Greek, Cyrillic, Hebrew, Arabic...): one bit test each,
    // and the rest of the word's in a loop of their own (anything else goes back to the
    // loop above).
    auto two_byte_plain = [&](size_t from, int32_t& cp) {
      return DecodeTwoByteUtf8(p + from, n - from, cp) && ((two_ok[cp >> 6] >> (cp & 63)) & 1);
    };
    if (int32_t cp = 0; two_byte_plain(at, cp)) {
      do {
        last_cp = cp;
        at += 2;
      } while (two_byte_plain(at, cp));
      last_start = SIZE_MAX;
      end = at;
      continue;
    }
    int32_t cp = 0;
    const size_t len = DecodeUtf8(p + at, n - at, cp);
    if (len == 0 || !IsPlainNonAscii(cp)) break;
    if (table != nullptr && table->Test(cp)) {
      *unstable = true;
      break;
    }
    last_start = SIZE_MAX;
    last_cp = cp;
    end = at + len;
  }
  if (end == pos) return pos;
  last = last_start != SIZE_MAX ? static_cast<int32_t>(p[last_start]) : last_cp;
  return end;
}

// The cleaning pass over NFC-stable text. With `check` set it also tests every code
// point against the NFC quick-check table (what IsNfcStable does) and returns false
// at the first one NFC may change, so stable text, nearly all of it, is read once.
bool CleanStable(std::string_view in, std::string& out, bool check) {
  const NfcUnstable* table = check ? &Unstable() : nullptr;
  bool unstable = false;
  out.reserve(in.size());
  size_t pos = 0;
  int pending_newlines = 0;
  bool pending_space = false;
  int32_t pending_joiner = 0;  // ZWNJ/ZWJ waiting for the next character to decide
  int32_t last = 0;            // last code point written
  while (pos < in.size()) {
    const size_t start = pos;
    // Fast path: a run of plain characters (see PlainRunEnd) starting with printable
    // ASCII is copied as is.
    if (IsPrintableAscii(in[pos])) {
      const size_t end = PlainRunEnd(in, pos + 1, last, table, &unstable);
      if (unstable) return false;
      if (end == pos + 1) last = static_cast<unsigned char>(in[pos]);
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
      pos = end;
      continue;
    }
    int32_t cp = Next(in, pos);
    if (cp < 0) continue;
    if (table != nullptr && table->Test(cp)) return false;
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
    // The character itself, then the plain run that follows it in one copy.
    last = cp;
    const size_t end = PlainRunEnd(in, pos, last, table, &unstable);
    if (unstable) return false;
    out.append(in.data() + start, end - start);
    pos = end;
  }
  return true;
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
  std::string out;
  out.reserve(utf8.size());
  if (CleanStable(utf8, out, /*check=*/true)) return out;
  out.clear();
  (void)CleanStable(Nfc(utf8), out, /*check=*/false);
  return out;
}

}  // namespace ingestd
