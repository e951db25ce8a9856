#include "stages/language/detector.h"

// CLD2's public header needs <cstdio> first (it uses FILE without including it).
#include <cstdio>
// clang-format off
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <vector>

#include "stages/language/bcp47.h"
#include "stages/language/confusables.h"
#include "stages/language/letters.h"
#include "stages/language/markers.h"
#include "stages/text/utf8.h"

namespace ingestd::language {
namespace {

constexpr size_t kMaxTitleBytes = 1024;
// Samples are cut into windows of about this size (4 to 8 of them), evenly spaced.
constexpr size_t kSampleWindowBytes = 256;
// A script with at least this share of a long text's letters that the evenly spaced
// windows missed gets a window of its own (at most kExtraWindows), so `others` still
// names an Urdu paragraph in the middle of an English article.
constexpr double kMissedScriptShare = 0.03;
constexpr size_t kExtraWindows = 2;
// Text given to the group model at most: it is decided on the part CLD2 gave to
// the language, and a few hundred letters are plenty for a character n-gram model.
constexpr size_t kGroupModelBytes = 640;
// Text searched for Indonesian/Malay or Persian/Dari marker words at most.
constexpr size_t kMarkerBytes = 2048;
// Below this mean log-odds per n-gram, the group model's pick is a guess.
constexpr double kConfidentMargin = 0.3;
// Mean log-odds per n-gram the group model needs to overrule CLD2, and more for a
// pair no letter separates (Persian/Dari, Indonesian/Malay), where the model is the
// most bound to its training text (one translation per language); marker words
// (markers.h) overrule both when the text has them. Chosen on a development split (UDHR articles
// 11-15) and on the Debian catalog set (bench/language_eval/build_debian_set.py), not
// on the UDHR test split: at 0.3, Indonesian/Malay GTK messages lost 12 points of
// Malay to CLD2 at 30 characters; at 0.5 none. With 1,500 grams per language (400
// before), 0.1 is best on both (0.2: -0.4 points at 30 characters on the Debian set
// without its Dari; 0.05: -0.5; 0.0: -1.8).
constexpr double kGroupMargin = 0.1;
constexpr double kPersianPairMargin = 0.3;
constexpr double kMalayPairMargin = 0.5;
// Texts with fewer letters go to the n-gram model of their whole script (Latin,
// Cyrillic), not only of CLD2's group: CLD2 is weakest there.
constexpr size_t kShortTextModelLetters = 120;

// The script of the character whose lead byte is at text[i], as the first 64-code-
// point block of its range (Latin 1, Cyrillic 0x10, Arabic 0x18, CJK 0x138...), or -1
// for ASCII other than letters, punctuation, combining marks and continuation bytes:
// a cheap stand-in for the script, for the sampling census.
constexpr int kBlocks = 1025;
int BlockAt(std::string_view text, size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) return (b | 0x20) >= 'a' && (b | 0x20) <= 'z' ? 1 : -1;
  if (b < 0xC2) return -1;
  int block = 0;
  if (b < 0xE0) {
    if (b == 0xC2) return -1;  // U+0080-U+00BF: Latin-1 punctuation
    block = b & 0x1F;
  } else if (b < 0xF0) {
    if (i + 1 >= text.size()) return -1;
    block = ((b & 0x0F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
  } else {
    return kBlocks - 1;
  }
  if (block <= 0x09 || (block >= 0x78 && block <= 0x7B)) return 1;  // Latin with diacritics
  if (block == 0x0C || block == 0x80 || block == 0x81 || block == 0xC0 || block == 0x3FB) {
    return -1;  // combining marks, general and CJK punctuation, full-width forms
  }
  if (block >= 0x10 && block <= 0x14) return 0x10;                     // Cyrillic
  if ((block >= 0x18 && block <= 0x1B) || block == 0x1D) return 0x18;  // Arabic
  if (block >= 0x24 && block <= 0x3F) return block & ~1;               // Indic, Thai, Lao: 128 each
  if (block >= 0xC1 && block <= 0xC3) return 0xC1;                     // kana
  if (block >= 0x138 && block <= 0x27F) return 0x138;                  // CJK ideographs
  if (block >= 0x2B0 && block <= 0x35E) return 0x2B0;                  // Hangul
  return block;
}

// Adds BlockAt counts of text[start, end) to counts (ASCII letters eight bytes at a
// time, then one lead byte per character).
void CountBlocks(std::string_view text, size_t start, size_t end, std::array<uint32_t, kBlocks>& counts) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  end = std::min(end, text.size());
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t ascii_letters = 0;
  size_t i = start;
  while (i < end && (p[i] & 0xC0) == 0x80) ++i;  // not from the middle of a character
  while (i < end) {
    if (i + 8 <= end) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & kHigh) == 0) {
        const uint64_t x = w | (0x20 * kOnes);  // lower case (no punctuation lands in a-z)
        const uint64_t ge_a = x + (0x80 - 'a') * kOnes;
        const uint64_t gt_z = x + (0x80 - 'z' - 1) * kOnes;
        ascii_letters += static_cast<size_t>(std::popcount(ge_a & ~gt_z & kHigh));
        i += 8;
        continue;
      }
    }
    const unsigned char b = p[i];
    if (b < 0x80) {
      ascii_letters += static_cast<unsigned>((b | 0x20) - 'a') < 26;
      ++i;
      continue;
    }
    const int block = BlockAt(text, i);
    if (block >= 0) ++counts[static_cast<size_t>(block)];
    i += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  }
  counts[1] += static_cast<uint32_t>(ascii_letters);
}

// BlockAt counts over the whole text, looking at 64 bytes in every `stride` (at most
// 16 pieces, 1 KiB): any run of a script longer than the gaps between the pieces is
// seen, and the cost stays bounded however long the text.
constexpr size_t kCensusPiece = 64;
constexpr size_t kCensusPieces = 16;
size_t CensusStride(std::string_view text) {
  return std::max(kCensusPiece, (text.size() + kCensusPieces - 1) / kCensusPieces);
}

void Census(std::string_view text, std::array<uint32_t, kBlocks>& counts) {
  counts.fill(0);
  const size_t stride = CensusStride(text);
  for (size_t piece = 0; piece < text.size(); piece += stride) CountBlocks(text, piece, piece + kCensusPiece, counts);
}

// The first offset of a character of `block` inside the census' pieces (where the
// census saw it), or text.size(): bounded by the census, not by the text's length.
size_t FirstInCensus(std::string_view text, int block) {
  const size_t stride = CensusStride(text);
  for (size_t piece = 0; piece < text.size(); piece += stride) {
    const size_t end = std::min(text.size(), piece + kCensusPiece);
    for (size_t i = piece; i < end; ++i) {
      if (BlockAt(text, i) == block) return i;
    }
  }
  return text.size();
}

// Appends text[start, end) cut on UTF-8 boundaries, after a newline when out is not empty.
void AppendWindow(std::string_view text, size_t start, size_t end, bool skip_partial_word, std::string& out) {
  end = BackToUtf8Boundary(text, std::min(end, text.size()));
  start = BackToUtf8Boundary(text, start);
  // Start after a space when one is near, so the window does not begin mid-word.
  const size_t space = text.find_first_of(" \n\t", start);
  if (skip_partial_word && space != std::string_view::npos && space < start + 64 && space < end) start = space + 1;
  if (start >= end) return;
  if (!out.empty()) out.push_back('\n');
  out.append(text.substr(start, end - start));
}

// The sample of a long text (see SampleText) appended to out.
void AppendSample(std::string_view text, size_t max_bytes, std::string& out) {
  if (text.size() <= max_bytes) {
    out.append(text);
    return;
  }
  const size_t windows = std::clamp<size_t>(max_bytes / kSampleWindowBytes, 4, 8);
  const size_t window = max_bytes / windows;
  thread_local std::vector<std::pair<size_t, size_t>> taken;
  taken.clear();
  for (size_t i = 0; i < windows; ++i) {
    const size_t start = (text.size() - window) * i / (windows - 1);
    taken.emplace_back(start, start + window);
    AppendWindow(text, start, start + window, i > 0, out);
  }
  // Census of the whole text by block, against the windows' census.
  thread_local std::array<uint32_t, kBlocks> whole{};
  thread_local std::array<uint32_t, kBlocks> sampled{};
  Census(text, whole);
  sampled.fill(0);
  size_t total = 0;
  for (uint32_t n : whole) total += n;
  auto count_window = [&](size_t start, size_t end) { CountBlocks(text, start, end, sampled); };
  for (const auto& [start, end] : taken) count_window(start, end);
  size_t extra = 0;
  for (int block = 0; block < kBlocks && extra < kExtraWindows; ++block) {
    const auto b = static_cast<size_t>(block);
    if (sampled[b] > 0 || whole[b] < 8 || whole[b] < kMissedScriptShare * static_cast<double>(total)) continue;
    const size_t first = FirstInCensus(text, block);
    const size_t start = first > kSampleWindowBytes / 4 ? first - kSampleWindowBytes / 4 : 0;
    AppendWindow(text, start, start + kSampleWindowBytes, start > 0, out);
    count_window(start, start + kSampleWindowBytes);
    ++extra;
  }
}

struct Cld2Answer {
  CLD2::Language summary = CLD2::UNKNOWN_LANGUAGE;
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double score3[3] = {0, 0, 0};
  CLD2::ResultChunkVector chunks;
  bool reliable = false;
};

Cld2Answer RunCld2(std::string_view buffer, const std::string& language_hint, const std::string& tld, bool best_effort,
                   bool want_chunks) {
  Cld2Answer a;
  CLD2::CLDHints hints{language_hint.empty() ? nullptr : language_hint.c_str(), tld.empty() ? nullptr : tld.c_str(),
                       CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  int text_bytes = 0;
  int valid_prefix_bytes = 0;
  a.summary = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      buffer.data(), static_cast<int>(buffer.size()), /*is_plain_text=*/true, &hints,
      best_effort ? CLD2::kCLDFlagBestEffort : 0, a.language3, a.percent3, a.score3, want_chunks ? &a.chunks : nullptr,
      &text_bytes, &a.reliable, &valid_prefix_bytes);
  return a;
}

// The envelope hint, reduced to what CLD2 parses: lower-case letters, '-' and ','.
std::string SanitizeHint(std::string_view hint) {
  std::string out;
  for (char c : hint.substr(0, 32)) {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == ',') {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (c == '_') {
      out.push_back('-');
    }
  }
  return out;
}

// Text of the chunks CLD2 gave to `language` (plus unlabeled ones), for the group model.
void ChunkText(std::string_view buffer, const CLD2::ResultChunkVector& chunks, CLD2::Language language,
               bool include_unknown, size_t max_bytes, std::string& out) {
  out.clear();
  for (const auto& c : chunks) {
    const auto lang = static_cast<CLD2::Language>(c.lang1);
    if (lang != language && !(include_unknown && lang == CLD2::UNKNOWN_LANGUAGE)) continue;
    if (c.offset < 0 || static_cast<size_t>(c.offset) >= buffer.size()) continue;
    out.append(buffer.substr(static_cast<size_t>(c.offset), static_cast<size_t>(c.bytes)));
    out.push_back(' ');
    if (out.size() >= max_bytes) break;
  }
}

// Dari and Iranian Persian are written almost alike; where the article comes from
// is the better signal when the source says so.
std::string PersianVariant(const std::string& code, std::string_view hint, std::string_view tld) {
  if (code != "fa" && code != "prs") return code;
  if (hint.starts_with("prs") || hint.starts_with("fa-af") || tld == "af") return "prs";
  if (hint.starts_with("fa-ir") || tld == "ir") return "fa";
  return code;
}

bool SourceSaysPersianVariant(std::string_view hint, std::string_view tld) {
  return hint.starts_with("prs") || hint.starts_with("fa-af") || hint.starts_with("fa-ir") || tld == "af" ||
         tld == "ir";
}

bool IsOneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

void AddShare(std::vector<LanguageShare>& shares, const std::string& code, double percent) {
  if (code.empty() || percent <= 0) return;
  for (auto& s : shares) {
    if (s.code == code) {
      s.percent += percent;
      return;
    }
  }
  shares.push_back({code, percent});
}

}  // namespace

std::string SampleText(std::string_view text, size_t max_bytes) {
  std::string out;
  AppendSample(text, max_bytes, out);
  return out;
}

std::string TopLevelDomain(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view host = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  if (const size_t at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  host = host.substr(0, host.find(':'));
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const size_t dot = host.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string tld;
  for (char c : host.substr(dot + 1)) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return {};
    tld.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return tld.size() >= 2 && tld.size() <= 6 ? tld : std::string();
}

std::string LanguageDetector::Cld2Only(std::string_view text, bool best_effort) {
  const auto a = RunCld2(text, {}, {}, best_effort, false);
  return ToBcp47(CLD2::LanguageCode(a.language3[0] != CLD2::UNKNOWN_LANGUAGE ? a.language3[0] : a.summary));
}

LanguageResult LanguageDetector::Detect(const DetectorInput& input) const {
  LanguageResult result;
  const std::string_view title =
      input.title.substr(0, BackToUtf8Boundary(input.title, std::min(input.title.size(), kMaxTitleBytes)));
  // Per-thread buffers: Detect() runs on every worker thread and allocates nothing
  // once a thread has seen its longest article.
  thread_local std::string buffer;
  thread_local std::string own_text;
  thread_local std::string part;
  buffer.assign(title);
  if (!buffer.empty()) buffer.push_back('\n');
  const size_t body_start = buffer.size();
  AppendSample(input.text, options_.max_sample_bytes, buffer);
  // CLD2 weighs text by bytes: 60 Chinese characters of headline outweigh 120 letters
  // of English below them. A body long enough to be reliable on its own decides the
  // language alone; the headline is checked on its own below and, in another
  // language, is one of the others. A shorter body is read with its headline.
  // Letters are only compared with the length thresholds: counting stops past the larger.
  constexpr size_t kEnoughLetters = std::max(kShortTextLetters, kShortTextModelLetters);
  const std::string_view body = std::string_view(buffer).substr(body_start);
  const size_t body_letters = CountLetters(body, kEnoughLetters);
  const bool body_decides = !title.empty() && body_letters >= kShortTextLetters;
  const std::string_view view = body_decides ? body : std::string_view(buffer);
  const size_t letters = view.data() == body.data() ? body_letters : CountLetters(view, kEnoughLetters);
  if (letters == 0) {
    result.code = "und";
    return result;
  }
  const std::string hint = SanitizeHint(input.language_hint);
  const std::string tld = TopLevelDomain(input.url);
  const Cld2Answer a = RunCld2(view, hint, tld, /*best_effort=*/true, /*want_chunks=*/true);

  const CLD2::Language top = a.language3[0] != CLD2::UNKNOWN_LANGUAGE ? a.language3[0] : a.summary;
  std::string code = ToBcp47(CLD2::LanguageCode(top));

  // Second opinion inside confusable groups, on the part of the text CLD2 gave to `top`.
  double margin = std::numeric_limits<double>::infinity();
  ChunkText(view, a.chunks, top, /*include_unknown=*/true, kGroupModelBytes, own_text);
  if (own_text.empty()) own_text.assign(view.substr(0, std::min(view.size(), kGroupModelBytes)));
  const bool short_text = letters < kShortTextModelLetters;
  if (auto decision = ResolveConfusable(code, own_text, kGroupModelBytes, short_text)) {
    const bool malay_pair = IsOneOf(code, {"id", "ms"}) && IsOneOf(decision->code, {"id", "ms"});
    const bool persian_pair = IsOneOf(code, {"fa", "prs"}) && IsOneOf(decision->code, {"fa", "prs"});
    const double needed = malay_pair ? kMalayPairMargin : persian_pair ? kPersianPairMargin : kGroupMargin;
    // When CLD2 found nothing, the group's pick is the only answer there is (a guess).
    if (decision->by_letters || decision->margin >= needed || code.empty()) code = decision->code;
    margin = decision->margin;
  }
  if (code.empty()) {
    result.code = "und";
    return result;
  }
  // The pairs no letter separates: marker words and spellings of the standard
  // languages decide when the sample has enough of them; otherwise the answer is a
  // guess between the two, unless the source says where it comes from.
  bool letterless_guess = false;
  const bool malay_pair = IsOneOf(code, {"id", "ms"});
  if (malay_pair || IsOneOf(code, {"fa", "prs"})) {
    const auto evidence =
        FindMarkers(malay_pair ? LetterlessPair::kIndonesianMalay : LetterlessPair::kPersianDari, view, kMarkerBytes);
    if (evidence.score >= kDecisiveMarkerScore) {
      code = malay_pair ? "ms" : "prs";
    } else if (evidence.score <= -kDecisiveMarkerScore) {
      code = malay_pair ? "id" : "fa";
    } else {
      letterless_guess = true;
    }
  }
  const std::string before_source = code;
  code = PersianVariant(code, hint, tld);
  if (code != before_source || (IsOneOf(code, {"fa", "prs"}) && SourceSaysPersianVariant(hint, tld))) {
    letterless_guess = false;
  }

  // Shares: the main language's (with group mates CLD2 split it into), then the others.
  std::vector<LanguageShare> shares;
  // CLD2 gives no share when it found nothing and the group model answered.
  AddShare(shares, code, a.percent3[0] > 0 ? a.percent3[0] : 100);
  for (int i = 1; i < 3; ++i) {
    if (a.language3[i] == CLD2::UNKNOWN_LANGUAGE || a.percent3[i] <= 0) continue;
    std::string other = ToBcp47(CLD2::LanguageCode(a.language3[i]));
    if (other.empty()) continue;
    if (!GroupOf(other).empty()) {
      ChunkText(view, a.chunks, a.language3[i], false, kGroupModelBytes, part);
      if (auto decision = ResolveConfusable(other, part.empty() ? own_text : part, kGroupModelBytes))
        other = decision->code;
      other = PersianVariant(other, hint, tld);
    }
    AddShare(shares, other, a.percent3[i]);
  }

  // A headline in another language over the body (a Chinese title over English
  // text) is too small a share for CLD2's top three; check the title on its own.
  if (!title.empty() && CountLetters(title, 6) >= 6 && !input.text.empty()) {
    const auto t = RunCld2(title, hint, tld, /*best_effort=*/true, /*want_chunks=*/false);
    std::string title_code = ToBcp47(CLD2::LanguageCode(t.language3[0]));
    if (!title_code.empty() && t.reliable) {
      if (auto decision = ResolveConfusable(title_code, title)) title_code = decision->code;
      title_code = PersianVariant(title_code, hint, tld);
      const bool known = std::any_of(shares.begin(), shares.end(), [&](const auto& s) { return s.code == title_code; });
      if (!known) {
        const double percent =
            std::max(1.0, std::round(100.0 * title.size() / (body_decides ? title.size() + view.size() : view.size())));
        AddShare(shares, title_code, percent);
      }
    }
  }

  result.code = shares.front().code;
  const double share = std::min(1.0, shares.front().percent / 100.0);
  const double length_factor = std::min(1.0, static_cast<double>(letters) / kShortTextLetters);
  const bool guessed_in_group = margin < kConfidentMargin || letterless_guess;
  result.confidence = std::round(share * length_factor * (guessed_in_group ? 0.7 : 1.0) * 100.0) / 100.0;
  result.reliable = a.reliable && letters >= kShortTextLetters && !guessed_in_group;
  for (size_t i = 1; i < shares.size(); ++i) result.others.push_back(shares[i]);
  std::sort(result.others.begin(), result.others.end(),
            [](const auto& x, const auto& y) { return x.percent > y.percent; });
  return result;
}

}  // namespace ingestd::language
