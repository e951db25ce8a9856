#include "stages/text/fold.h"

#include <utf8proc.h>

#include <array>
#include <memory>

namespace ingestd {
namespace {

// Script variants that Unicode normalization keeps apart but readers treat as one
// letter. utf8proc has no tailoring hook, so this small table does it.
int32_t UnifyVariant(int32_t cp) {
  switch (cp) {
    case 0x0649:  // ى alef maksura
    case 0x06CC:  // ی Farsi yeh
    case 0x06D2:  // ے yeh barree (Urdu)
    case 0x06D0:  // ې Pashto e
    case 0x06CD:  // ۍ yeh with tail (Pashto)
    case 0x0626:  // ئ yeh with hamza (NFKD keeps it)
      return 0x064A;
    case 0x06A9:  // ک keheh
    case 0x06AA: return 0x0643;
    case 0x06AB: return 0x06AF;  // ګ Pashto gaf with ring -> گ
    case 0x0629:                 // ة teh marbuta
    case 0x06C1:                 // ہ heh goal
    case 0x06C3:                 // ۃ teh marbuta goal
    case 0x06BE:                 // ھ heh doachashmee
    case 0x06D5:                 // ە ae
      return 0x0647;
    case 0x0671:  // ٱ alef wasla
    case 0x0622:  // آ alef madda (NFKD splits it; kept for the table)
    case 0x0623:  // أ
    case 0x0625:  // إ
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
    case 0xFF0D: return '-';
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

// The folded UTF-8 bytes of every BMP code point, built once on first use (about
// 10 ms): the hot path is then one lookup and a short copy per character instead
// of a utf8proc decomposition.
class BmpTable {
 public:
  BmpTable() {
    std::u32string cps;
    std::string bytes;
    for (int32_t cp = 0; cp < 0x10000; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) {  // surrogates never decode
        entries_[cp] = {0, 0};
        continue;
      }
      cps.clear();
      bytes.clear();
      FoldCodePoint(cp, cps);
      for (char32_t u : cps) AppendUtf8(static_cast<int32_t>(u), bytes);
      entries_[cp] = {static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(bytes.size())};
      pool_ += bytes;
    }
  }
  [[nodiscard]] std::string_view Get(int32_t cp) const {
    const Entry& e = entries_[cp];
    return {pool_.data() + e.offset, e.length};
  }

 private:
  struct Entry {
    uint32_t offset;
    uint32_t length;
  };
  std::array<Entry, 0x10000> entries_;
  std::string pool_;
};

const BmpTable& Table() {
  static const auto* table = new BmpTable();  // never destroyed: used until exit
  return *table;
}

// Decodes one UTF-8 sequence at p (n bytes left); returns its length, or 0 when
// the bytes are not valid UTF-8.
inline size_t Decode(const unsigned char* p, size_t n, int32_t& cp) {
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

constexpr std::array<char, 128> MakeAsciiTable() {
  std::array<char, 128> t{};
  for (int c = 0; c < 128; ++c) {
    char f = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z')
      f = static_cast<char>(c + 32);
    else if (c == '`')
      f = '\'';
    else if (c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C)
      f = ' ';
    t[c] = f;
  }
  return t;
}
constexpr std::array<char, 128> kAscii = MakeAsciiTable();

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
    out.push_back(static_cast<char32_t>(kAscii[cp]));
    return;
  }
  {
    const int32_t u = UnifyVariant(cp);
    if (u != cp && (u < 0x80 || u == 0x0627)) {  // punctuation variants, alef forms
      out.push_back(static_cast<char32_t>(u));
      return;
    }
  }
  std::array<utf8proc_int32_t, 32> buf;  // U+FDFA expands to 18 code points
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
  const BmpTable& table = Table();
  FoldedText folded;
  folded.text.resize(utf8.size() + 16);
  folded.origin.resize(utf8.size() + 17);
  size_t out = 0;
  auto grow = [&](size_t need) {
    if (out + need > folded.text.size()) {
      const size_t size = std::max(folded.text.size() * 2, out + need);
      folded.text.resize(size);
      folded.origin.resize(size + 1);
    }
  };
  const auto* data = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t size = utf8.size();
  size_t pos = 0;
  while (pos < size) {
    const unsigned char c = data[pos];
    if (c < 0x80) {  // ASCII: one byte in, one byte out
      if (out >= folded.text.size()) grow(1);
      folded.text[out] = kAscii[c];
      folded.origin[out] = static_cast<uint32_t>(pos);
      ++out;
      ++pos;
      continue;
    }
    int32_t cp = 0;
    const size_t len = Decode(data + pos, size - pos, cp);
    if (len == 0) {  // invalid byte: keep it out of the folded view
      ++pos;
      continue;
    }
    if (cp < 0x10000) {
      const std::string_view f = table.Get(cp);
      grow(f.size());
      for (size_t i = 0; i < f.size(); ++i) {
        folded.text[out + i] = f[i];
        folded.origin[out + i] = static_cast<uint32_t>(pos);
      }
      out += f.size();
    } else {
      std::u32string cps;
      FoldCodePoint(cp, cps);
      std::string bytes;
      for (char32_t u : cps) AppendUtf8(static_cast<int32_t>(u), bytes);
      grow(bytes.size());
      for (size_t i = 0; i < bytes.size(); ++i) {
        folded.text[out + i] = bytes[i];
        folded.origin[out + i] = static_cast<uint32_t>(pos);
      }
      out += bytes.size();
    }
    pos += len;
  }
  folded.text.resize(out);
  folded.origin.resize(out + 1);
  folded.origin[out] = static_cast<uint32_t>(size);
  return folded;
}

}  // namespace ingestd
