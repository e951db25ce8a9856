#include "daemon/event_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ingestd {
namespace {

// RapidJSON's Writer with a faster string value. Writer::String looks at one byte at a
// time (a table lookup and a call per byte): the article text made it 19% of the
// daemon's CPU with no stages (perf), and RapidJSON 1.1.0's SSE2 scan, the library's own
// fast path, writes U+001A..U+001F unescaped (invalid JSON). FastString writes the same
// bytes as Writer::String (tests/daemon/event_writer_test.cc compares them) sixteen
// input bytes at a time (eight without SSE2) when none needs an escape.
class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  explicit Writer(rapidjson::StringBuffer& out) : rapidjson::Writer<rapidjson::StringBuffer>(out) {}

  // Pieces of the string are escaped into room for their worst case (every byte as
  // \u00XX), so the buffer grows by at most 6 x kPiece beyond what the event needs.
  static constexpr size_t kPiece = 4096;

  void FastString(std::string_view s) {
    Prefix(rapidjson::kStringType);
    os_->Put('"');
    for (size_t at = 0; at < s.size(); at += kPiece) {
      const std::string_view piece = s.substr(at, kPiece);
      char* const begin = os_->Push(6 * piece.size());
      char* const end = WriteJsonChars(piece, begin);
      os_->Pop(static_cast<size_t>(begin + 6 * piece.size() - end));
    }
    os_->Put('"');
    EndValue(true);
  }
};

void Str(Writer& w, std::string_view s) { w.FastString(s); }
void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

void OptStr(Writer& w, std::string_view key, const std::string& v) {
  if (v.empty()) return;
  Key(w, key);
  Str(w, v);
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += (i + 1 < in.size()) ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void WriteInput(Writer& w, const InputPosition& in) {
  Key(w, "input");
  w.StartObject();
  Key(w, "topic");
  Str(w, in.topic);
  Key(w, "partition");
  w.Int(in.partition);
  Key(w, "offset");
  w.Int64(in.offset);
  w.EndObject();
}

// Escapes [p, stop) one byte at a time: what the block loops stop at, and the tail
// shorter than a block.
char* WriteJsonCharsBytewise(const char* p, const char* const stop, char* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (; p < stop; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *out++ = static_cast<char>(c);
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"': *out++ = '"'; break;
      case '\\': *out++ = '\\'; break;
      case '\b': *out++ = 'b'; break;
      case '\f': *out++ = 'f'; break;
      case '\n': *out++ = 'n'; break;
      case '\r': *out++ = 'r'; break;
      case '\t': *out++ = 't'; break;
      default:
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

template <JsonCharBlocks kBlocks>
char* WriteJsonCharsWith(std::string_view s, char* out) {
  const char* p = s.data();
  const char* const end = p + s.size();
  // The block loops copy while no byte is a control character, '"' or '\\'. Bytes of
  // 0x80 and above are copied as they are (the text is valid UTF-8), like RapidJSON
  // without kWriteValidateEncodingFlag.
  constexpr size_t kBlock = kBlocks == JsonCharBlocks::kSse2 ? 16 : 8;
  // Where the bytewise loop stops after a block loop stopped early: SSE2 knows the
  // byte to escape and has written the bytes before it; SWAR only knows the word.
  constexpr size_t kBytewise = kBlocks == JsonCharBlocks::kSse2 ? 1 : 8;
  while (p < end) {
    if constexpr (kBlocks == JsonCharBlocks::kSse2) {
#if defined(__SSE2__)
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i backslash = _mm_set1_epi8('\\');
      const __m128i last_control = _mm_set1_epi8(0x1F);
      // The output has room for six bytes per input byte: a whole block always fits.
      while (static_cast<size_t>(end - p) >= kBlock) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v);  // v <= 0x1F
        const auto hits = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)))));
        if (hits != 0) {
          const int k = std::countr_zero(hits);
          out += k;
          p += k;
          break;
        }
        out += kBlock;
        p += kBlock;
      }
#endif
    } else {
      constexpr uint64_t kOnes = 0x0101010101010101ull;
      constexpr uint64_t kHigh = 0x8080808080808080ull;
      // A zero byte in v: exact for "is there one" (the classic haszero).
      auto has_zero = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
      while (static_cast<size_t>(end - p) >= kBlock) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        const bool control = ((w - 0x20 * kOnes) & ~w & kHigh) != 0;
        if (control || has_zero(w ^ (0x22 * kOnes)) || has_zero(w ^ (0x5C * kOnes))) break;
        std::memcpy(out, &w, 8);
        out += 8;
        p += 8;
      }
    }
    const char* const stop = static_cast<size_t>(end - p) >= kBlock ? p + kBytewise : end;
    out = WriteJsonCharsBytewise(p, stop, out);
    p = stop;
  }
  return out;
}

template char* WriteJsonCharsWith<JsonCharBlocks::kSwar>(std::string_view s, char* out);
#if defined(__SSE2__)
template char* WriteJsonCharsWith<JsonCharBlocks::kSse2>(std::string_view s, char* out);
#endif

char* WriteJsonChars(std::string_view s, char* out) { return WriteJsonCharsWith<kJsonCharBlocks>(s, out); }

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string EncodeEvent(const Article& a) {
  rapidjson::StringBuffer buf;
  // One allocation for most events (FastString's last piece of text needs its worst case).
  buf.Reserve(a.text.size() + a.title.size() + a.url.size() + 1024 + 6 * Writer::kPiece);
  Writer w(buf);
  w.StartObject();
  Key(w, "schema");
  Str(w, kEventSchema);
  Key(w, "id");
  Str(w, a.id);
  Key(w, "url");
  Str(w, a.url);
  OptStr(w, "canonical_url", a.canonical_url);
  OptStr(w, "source", a.source);
  Key(w, "title");
  Str(w, a.title);
  Key(w, "text");
  Str(w, a.text);
  OptStr(w, "published_at", a.published_at);
  OptStr(w, "fetched_at", a.fetched_at);
  OptStr(w, "processed_at", a.processed_at);
  if (a.content_hash) {
    Key(w, "content_hash");
    Str(w, a.content_hash->Hex());
  }
  if (a.utf8_replacements > 0) {
    Key(w, "utf8_replacements");
    w.Uint(a.utf8_replacements);
  }
  if (a.boilerplate) {
    Key(w, "boilerplate");
    w.StartObject();
    Key(w, "lines_removed");
    w.Uint(a.boilerplate->lines_removed);
    if (!a.boilerplate->removed.empty()) {
      Key(w, "removed");
      w.StartArray();
      for (const auto& l : a.boilerplate->removed) Str(w, l);
      w.EndArray();
    }
    w.EndObject();
  }
  if (a.segments) {
    Key(w, "segments");
    w.StartArray();
    for (const auto& s : *a.segments) {
      w.StartObject();
      Key(w, "start");
      w.Uint(s.start);
      Key(w, "end");
      w.Uint(s.end);
      OptStr(w, "title", s.title);
      w.EndObject();
    }
    w.EndArray();
  }
  if (a.dedupe) {
    const auto& d = *a.dedupe;
    Key(w, "dedupe");
    w.StartObject();
    Key(w, "status");
    Str(w, DedupeStatusName(d.status));
    Key(w, "duplicate_of");
    if (d.duplicate_of.empty())
      w.Null();
    else
      Str(w, d.duplicate_of);
    Key(w, "similarity");
    w.Double(d.similarity);
    OptStr(w, "story_id", d.story_id);
    OptStr(w, "revision_of", d.revision_of);
    w.EndObject();
  }
  if (a.language) {
    const auto& l = *a.language;
    Key(w, "language");
    w.StartObject();
    Key(w, "code");
    Str(w, l.code);
    Key(w, "confidence");
    w.Double(l.confidence);
    Key(w, "reliable");
    w.Bool(l.reliable);
    Key(w, "others");
    w.StartArray();
    for (const auto& o : l.others) {
      w.StartObject();
      Key(w, "code");
      Str(w, o.code);
      Key(w, "percent");
      w.Double(o.percent);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  if (a.tags) {
    Key(w, "tags");
    w.StartArray();
    for (const auto& t : *a.tags) {
      w.StartObject();
      Key(w, "id");
      Str(w, t.id);
      Key(w, "type");
      Str(w, t.type);
      Key(w, "name");
      Str(w, t.name);
      Key(w, "count");
      w.Uint(t.count);
      Key(w, "mentions");
      w.StartArray();
      for (const auto& m : t.mentions) {
        w.StartObject();
        if (m.field == Mention::Field::kTitle) {
          Key(w, "field");
          Str(w, "title");
        }
        Key(w, "start");
        w.Uint(m.start);
        Key(w, "end");
        w.Uint(m.end);
        Key(w, "text");
        Str(w, m.text);
        w.EndObject();
      }
      w.EndArray();
      if (!t.keywords.empty()) {
        Key(w, "keywords");
        w.StartArray();
        for (const auto& k : t.keywords) Str(w, k);
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (a.input) WriteInput(w, *a.input);
  Key(w, "meta");
  w.StartObject();
  for (const auto& [k, raw] : a.meta) {
    Key(w, k);
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string EncodeDeadLetterJson(const DeadLetterInfo& info, std::string_view raw, int64_t line,
                                 const InputPosition* position) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "stage");
  Str(w, info.stage);
  Key(w, "reason");
  Str(w, info.reason);
  Key(w, "message");
  Str(w, info.message);
  if (line > 0) {
    Key(w, "line");
    w.Int64(line);
  }
  if (position) WriteInput(w, *position);
  if (simdjson::validate_utf8(raw.data(), raw.size())) {
    Key(w, "raw");
    Str(w, raw);
  } else {
    Key(w, "raw_base64");
    Str(w, Base64(raw));
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace ingestd
