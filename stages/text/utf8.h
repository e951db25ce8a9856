// Inline UTF-8 decoding for the per-character loops of normalize, fold and the
// stages after them. Accepts exactly what utf8proc_iterate accepts (no overlong
// forms, no surrogates, nothing above U+10FFFF), without a library call per
// character. Thread-safe, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ingestd {

// Decodes the multi-byte sequence at p (n > 0 bytes left, p[0] >= 0x80) into cp;
// returns its length, or 0 when the bytes are not valid UTF-8.
[[nodiscard]] inline size_t DecodeUtf8(const unsigned char* p, size_t n, int32_t& cp) {
  const unsigned char c = p[0];
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    if (n < 2 || (p[1] & 0xC0) != 0x80) return 0;
    cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c < 0xF0) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    cp = ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (c < 0xF5) {
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    cp = ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

// A two-byte sequence at p (U+0080..U+07FF: accented Latin, Greek, Cyrillic, Hebrew,
// Arabic...), decoded into cp; false for anything else or fewer than two bytes left.
// The per-character loops read runs of these, most of most non-ASCII text, with it.
[[nodiscard]] inline bool DecodeTwoByteUtf8(const unsigned char* p, size_t left, int32_t& cp) {
  if (left < 2 || p[0] < 0xC2 || p[0] >= 0xE0 || (p[1] & 0xC0) != 0x80) return false;
  cp = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
  return true;
}

// True when every byte of s belongs to a valid UTF-8 sequence (no copy).
[[nodiscard]] bool IsValidUtf8(std::string_view s);

// The largest position at or before pos that does not split a UTF-8 sequence of s:
// where to cut text so that both parts stay valid.
[[nodiscard]] inline size_t BackToUtf8Boundary(std::string_view s, size_t pos) {
  while (pos > 0 && pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) --pos;
  return pos;
}

// Copies in to out with each invalid UTF-8 byte replaced by U+FFFD; returns how
// many were replaced. Used on input (the envelope) and on text a library decoded
// for us (gumbo turns an out-of-range character reference into invalid bytes).
size_t RepairUtf8(std::string_view in, std::string& out);

}  // namespace ingestd
