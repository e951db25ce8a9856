#include "stages/text/fold.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "stages/text/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
// of a utf8proc decomposition. Folds of up to 4 bytes (nearly all) are held in the
// entry itself; longer ones (ligatures such as U+FDFA) in a pool.
class BmpTable {
 public:
  struct Entry {
    uint32_t data;    // the bytes themselves when length <= kInline, else an offset into the pool
    uint32_t length;  // bytes
  };
  static constexpr uint32_t kInline = 4;

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
      Entry e{0, static_cast<uint32_t>(bytes.size())};
      if (bytes.size() <= kInline) {
        std::memcpy(&e.data, bytes.data(), bytes.size());
      } else {
        e.data = static_cast<uint32_t>(pool_.size());
        pool_ += bytes;
      }
      entries_[cp] = e;
    }
  }
  [[nodiscard]] const Entry& Get(int32_t cp) const { return entries_[cp]; }
  [[nodiscard]] const char* Pooled(const Entry& e) const { return pool_.data() + e.data; }

 private:
  std::array<Entry, 0x10000> entries_;
  std::string pool_;
};

const BmpTable& Table() {
  static const auto* table = new BmpTable();  // never destroyed: used until exit
  return *table;
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

// The rest of a run of ASCII at least sixteen bytes long (Latin-script text): sixteen
// bytes at a time while all are ASCII (SSE2, in every x86-64), then one at a time.
// The table's mapping in compares: A-Z lowered, '`' to '\'', \t \n \v \f \r to a
// space, every other byte as it is; origins count up from pos.
void FoldLongAsciiRun(const unsigned char* data, size_t size, size_t& pos, char* text, uint32_t* origin, size_t& out) {
#if defined(__SSE2__)
  while (size - pos >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    if (_mm_movemask_epi8(v) != 0) break;
    const __m128i upper =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    const __m128i space =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('\t' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('\r' + 1)));
    const __m128i grave = _mm_cmpeq_epi8(v, _mm_set1_epi8('`'));
    __m128i f = _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    f = _mm_or_si128(_mm_andnot_si128(space, f), _mm_and_si128(space, _mm_set1_epi8(' ')));
    f = _mm_or_si128(_mm_andnot_si128(grave, f), _mm_and_si128(grave, _mm_set1_epi8('\'')));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(text + out), f);
    __m128i at = _mm_add_epi32(_mm_set1_epi32(static_cast<int>(pos)), _mm_setr_epi32(0, 1, 2, 3));
    for (int k = 0; k < 4; ++k) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(origin + out + 4 * k), at);
      at = _mm_add_epi32(at, _mm_set1_epi32(4));
    }
    out += 16;
    pos += 16;
  }
#endif
  for (; pos < size && data[pos] < 0x80; ++pos, ++out) {
    text[out] = kAscii[data[pos]];
    origin[out] = static_cast<uint32_t>(pos);
  }
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

namespace {

// Out of line: rare (folding that grows the text by more than the slack), and
// inlined it kept the compiler from inlining grow() into Fold's loops.
[[gnu::noinline]] size_t Enlarge(FoldedText& folded, size_t written, size_t size) {
  folded.text.resize(size);
  folded.origin.resize(written);  // only the written origins are copied to the new buffer
  folded.origin.resize(size + 1);
  return size;
}

}  // namespace

FoldedText Fold(std::string_view utf8) {
  const BmpTable& table = Table();
  FoldedText folded;
  // Slack past `out` lets a character's bytes and origins be stored with fixed-size
  // copies; grow() keeps at least kSlack free.
  constexpr size_t kSlack = 16;
  // Text that does not grow when folded never needs more: a character's fixed-size
  // copy (kInline) of the last bytes must fit without enlarging.
  folded.text.resize(utf8.size() + kSlack + BmpTable::kInline);
  folded.origin.resize(utf8.size() + kSlack + BmpTable::kInline + 1);
  char* text = folded.text.data();
  uint32_t* origin = folded.origin.data();
  size_t room = folded.text.size();
  size_t out = 0;
  auto grow = [&](size_t need) {
    if (out + need + kSlack > room) [[unlikely]] {
      room = Enlarge(folded, out, std::max(room * 2, out + need + kSlack));
      text = folded.text.data();
      origin = folded.origin.data();
    }
  };
  const auto* data = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t size = utf8.size();
  size_t pos = 0;
  while (pos < size) {
    // ASCII: one byte in, one byte out, so one check per run keeps the room.
    if (data[pos] < 0x80) {
      grow(size - pos);
      // The first sixteen bytes one at a time: in text of other scripts a run of
      // ASCII is mostly one space, too short for blocks.
      const size_t head = std::min(size, pos + 16);
      do {
        text[out] = kAscii[data[pos]];
        origin[out] = static_cast<uint32_t>(pos);
        ++out;
        ++pos;
      } while (pos < head && data[pos] < 0x80);
      if (pos == head && pos < size && data[pos] < 0x80) [[unlikely]] {
        FoldLongAsciiRun(data, size, pos, text, origin, out);
      }
      continue;
    }
    int32_t cp = 0;
    const size_t len = DecodeUtf8(data + pos, size - pos, cp);
    if (len == 0) {  // invalid byte: keep it out of the folded view
      ++pos;
      continue;
    }
    const auto at = static_cast<uint32_t>(pos);
    if (cp < 0x10000) {
      const BmpTable::Entry& e = table.Get(cp);
      if (e.length <= BmpTable::kInline) {
        grow(BmpTable::kInline);
        std::memcpy(text + out, &e.data, BmpTable::kInline);  // bytes past length land in the slack
        for (uint32_t i = 0; i < BmpTable::kInline; ++i) origin[out + i] = at;
      } else {
        grow(e.length);
        std::memcpy(text + out, table.Pooled(e), e.length);
        for (uint32_t i = 0; i < e.length; ++i) origin[out + i] = at;
      }
      out += e.length;
    } else {
      std::u32string cps;
      FoldCodePoint(cp, cps);
      std::string bytes;
      for (char32_t u : cps) AppendUtf8(static_cast<int32_t>(u), bytes);
      grow(bytes.size());
      std::memcpy(text + out, bytes.data(), bytes.size());
      for (size_t i = 0; i < bytes.size(); ++i) origin[out + i] = at;
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
