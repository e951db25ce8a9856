#include "stages/tagging/compiled_taxonomy.h"

#include <hs/hs.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "config/reader.h"
#include "stages/hyperscan_status.h"
#include "stages/tagging/traditional_chinese.h"
#include "stages/text/fold.h"
#include "stages/text/script.h"

namespace ingestd {
namespace {

// Hyperscan 5.4.0 (Debian 12's) fails a whole scan with HS_UNKNOWN_ERROR when a
// literal database holds a literal ending in a run of 34 or more equal bytes after
// three or more other bytes, next to any other literal (intel/hyperscan issues 303
// and 353, fixed after 5.4.0; measured on this build: 33 scan, 34 fail).
// tagging_fuzz found it with an alias of many '<', which the marked view turns into
// spaces. No real name has such a run, so a taxonomy with one is refused when it is
// compiled, rather than failing every article that reaches the scan (each would be an
// internal_error dead letter). The bound leaves a margin below 34.
constexpr size_t kMaxLiteralRun = 32;

size_t LongestRun(std::string_view s) {
  size_t longest = 0;
  for (size_t i = 0, run = 0; i < s.size(); ++i) {
    run = i > 0 && s[i] == s[i - 1] ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  return longest;
}

// How a name meets its neighbours, by the script of its first / last letter.
enum Boundary : uint8_t {
  kWord,      // Latin, Cyrillic, Greek...: a letter or digit next to it means another word
  kUnspaced,  // Han, kana, Hangul, Thai...: no spaces between words, no boundary
  kArabic,    // Arabic script: attached prefixes (و ب ل ال...) and suffixes (ان ها و)
};

enum PatternFlag : uint8_t {
  kCyrillicEndings = 1,  // may take a Russian case ending (Таджикистан-ом)
  kNeedsEnding = 2,      // a stem (Аль-Каид-ы): must take one
  kAfterLl = 4,          // ال folded into a preceding ل (للقاعدة): only و ف before it
  kOriginal = 8,         // case-sensitive: matched on the original text, as written
  kMarked = 16,          // ASCII: matched on the marked view, between delimiters
  kReversed = 32,        // Cyrillic: matched on the reversed view, after a word start
};

// The marked view of a folded text: every byte that is not an ASCII letter or
// digit becomes kDelimiter, with one more at each end, so offsets shift by one.
// ASCII names are compiled with a delimiter on each side (" oman ", " al qaeda ").
// Why: Hyperscan's literal matcher filters positions on the last bytes of each
// literal; ~15,000 Latin names (countries in ~90 languages) end in the letter
// pairs English words end in, so nearly every position of English text passed
// the filter and went to the slower confirm step. A name that ends in a
// delimiter is a candidate only at a word end. The delimiter stands for any
// character that is not an ASCII letter or digit (all of a multi-byte
// character's bytes become delimiters), so every real match still matches; the
// checks on the folded view then decide as before, and SeparatorsOk() restores
// what the delimiter blurred inside a name.
constexpr char kDelimiter = ' ';

inline bool IsAsciiAlnum(unsigned char c) {
  return static_cast<unsigned char>(c - '0') < 10 || static_cast<unsigned char>((c | 0x20) - 'a') < 26;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string MarkedLiteral(std::string_view form) {
  std::string out(1, kDelimiter);
  for (char c : form) out.push_back(IsAsciiAlnum(static_cast<unsigned char>(c)) ? c : kDelimiter);
  out.push_back(kDelimiter);
  return out;
}

// Branch-free so that the compiler vectorizes it. Also says whether the text has
// Cyrillic (for the reversed view), while the bytes are at hand.
bool MarkText(std::string_view folded, std::string& out) {
  out.resize(folded.size() + 2);
  out.front() = kDelimiter;
  out.back() = kDelimiter;
  const auto* __restrict in = reinterpret_cast<const unsigned char*>(folded.data());
  auto* __restrict o = reinterpret_cast<unsigned char*>(out.data()) + 1;
  unsigned char cyrillic = 0;
  for (size_t i = 0; i < folded.size(); ++i) {
    const unsigned char c = in[i];
    cyrillic |= static_cast<unsigned char>(c - 0xD0) < 5;
    o[i] = IsAsciiAlnum(c) ? c : static_cast<unsigned char>(kDelimiter);
  }
  return cyrillic != 0;
}

// Cyrillic names take case endings, so they cannot end in a delimiter; they
// start a word instead, and Hyperscan filters on a literal's last bytes: so they
// are matched backwards, on the reversed view (the folded text byte-reversed,
// every character that is neither an ASCII letter or digit nor Cyrillic made of
// kDelimiter bytes, one more delimiter past the text's start) as reversed
// literals that end in a delimiter. Only names whose letters are all ASCII or
// Cyrillic go there, so what the view blurs cannot hide a difference.
constexpr bool IsCyrillicLead(unsigned char c) { return c >= 0xD0 && c <= 0xD4; }  // U+0400..U+052F

bool IsAsciiOrCyrillic(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    if (!IsCyrillicLead(c)) return false;
    ++i;  // two-byte sequence
  }
  return true;
}

std::string ReversedLiteral(std::string_view form) {
  std::string out(1, kDelimiter);  // before the name: a word start
  for (char c : form) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(b < 0x80 && !IsAsciiAlnum(b) ? kDelimiter : c);
  }
  std::reverse(out.begin(), out.end());  // byte by byte, as the view
  return out;
}

// Byte k of the view is folded byte n-1-k, kept when it is an ASCII letter or
// digit, a Cyrillic lead byte, or the byte after one; else kDelimiter. Mapped
// forward with bitwise operations on bytes (vectorized), then reversed eight
// bytes at a time.
void ReverseText(std::string_view folded, std::string& scratch, std::string& out) {
  const size_t n = folded.size();
  scratch.resize(n);
  out.resize(n + 1);
  const auto* __restrict in = reinterpret_cast<const unsigned char*>(folded.data());
  auto* __restrict t = reinterpret_cast<unsigned char*>(scratch.data());
  auto* __restrict o = reinterpret_cast<unsigned char*>(out.data());
  o[n] = kDelimiter;
  if (n == 0) return;
  t[0] = IsAsciiAlnum(in[0]) || IsCyrillicLead(in[0]) ? in[0] : static_cast<unsigned char>(kDelimiter);
  for (size_t i = 1; i < n; ++i) {
    const unsigned char c = in[i];
    const unsigned char digit = static_cast<unsigned char>(c - '0') < 10;
    const unsigned char alpha = static_cast<unsigned char>((c | 0x20) - 'a') < 26;
    const unsigned char lead = static_cast<unsigned char>(c - 0xD0) < 5;
    const unsigned char after_lead =
        static_cast<unsigned char>(static_cast<unsigned char>(in[i - 1] - 0xD0) < 5) & ((c & 0xC0) == 0x80);
    t[i] = (digit | alpha | lead | after_lead) ? c : static_cast<unsigned char>(kDelimiter);
  }
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, t + n - 8 - i, 8);
    v = __builtin_bswap64(v);
    std::memcpy(o + i, &v, 8);
  }
  for (; i < n; ++i) o[i] = t[n - 1 - i];
}

// A match on the marked view has the form's letters and digits in place and
// some non-alphanumeric bytes where the form has separators: those must be what
// the form has, a space and a hyphen standing for each other (al-Qaeda, al Qaeda).
bool SeparatorsOk(std::string_view text, size_t start, std::string_view form) {
  for (size_t i = 0; i < form.size(); ++i) {
    const char f = form[i];
    if (IsAsciiAlnum(static_cast<unsigned char>(f))) continue;
    const char t = text[start + i];
    if (t == f || ((f == ' ' || f == '-') && (t == ' ' || t == '-'))) continue;
    return false;
  }
  return true;
}

// A small set of short strings (up to 8 bytes: endings, prefixes), looked up
// without allocating or comparing strings.
class ShortStrings {
 public:
  ShortStrings(std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) keys_.push_back(Pack(w));
    std::sort(keys_.begin(), keys_.end());
  }
  [[nodiscard]] bool Contains(std::string_view w) const {
    return !w.empty() && w.size() <= 8 && std::binary_search(keys_.begin(), keys_.end(), Pack(w));
  }

 private:
  static uint64_t Pack(std::string_view w) {
    uint64_t key = 0;
    std::memcpy(&key, w.data(), std::min<size_t>(w.size(), 8));
    return key;
  }
  std::vector<uint64_t> keys_;
};

struct ScratchCache {
  hs_scratch_t* scratch = nullptr;
  uint64_t generation = 0;
  ~ScratchCache() {
    if (scratch) hs_free_scratch(scratch);
  }
};
thread_local ScratchCache tls_scratch;
std::atomic<uint64_t> next_generation{1};

bool IsArabicScript(int32_t cp) {
  return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) || (cp >= 0x08A0 && cp <= 0x08FF) ||
         (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF);
}

bool IsCyrillic(int32_t cp) { return cp >= 0x0400 && cp <= 0x052F; }

bool IsLetter(int32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  const auto c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

// Decodes the code point that starts at pos (0 on a bad sequence).
int32_t DecodeAt(std::string_view s, size_t pos, size_t* len = nullptr) {
  if (static_cast<unsigned char>(s[pos]) < 0x80) {
    if (len) *len = 1;
    return static_cast<unsigned char>(s[pos]);
  }
  utf8proc_int32_t cp = 0;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                  static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  if (len) *len = n > 0 ? static_cast<size_t>(n) : 1;
  return n > 0 ? cp : 0;
}

// Start of the code point that ends just before pos.
size_t PrevStart(std::string_view s, size_t pos) {
  size_t p = pos - 1;
  while (p > 0 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
  return p;
}

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t pos = 0; pos < s.size();) {
    size_t len = 1;
    const int32_t cp = DecodeAt(s, pos, &len);
    if (cp) out.push_back(static_cast<char32_t>(cp));
    pos += len;
  }
  return out;
}

std::string Encode(std::u32string_view cps) {
  std::string out;
  std::array<utf8proc_uint8_t, 4> buf;
  for (char32_t cp : cps) {
    const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf.data());
    out.append(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
  }
  return out;
}

std::string FoldString(std::string_view s) {
  std::string f = Fold(s).text;
  // Collapse runs of spaces and trim: names are matched word by word.
  std::string out;
  for (char c : f) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Folded Russian case endings a Cyrillic name may take (й folds to и).
const ShortStrings& CyrillicEndings() {
  static const ShortStrings k{"а",  "у",  "е",  "ом",  "ои",  "ы",  "ов",  "ам",  "ами", "ах", "ю",  "я",
                              "и",  "еи", "ем", "ого", "ому", "ых", "ым",  "ыми", "ую",  "ая", "ии", "ое",
                              "ые", "ие", "их", "им",  "ими", "ям", "ями", "ях",  "ев",  "ою"};
  return k;
}

// Folded prefixes written attached to an Arabic-script word: conjunctions,
// prepositions, the article, and their combinations.
const ShortStrings& ArabicPrefixes() {
  static const ShortStrings k{"و",   "ف",  "ب",   "ل",   "ك",  "ال", "وال", "فال", "بال",
                              "كال", "لل", "ولل", "فلل", "وب", "ول", "فب",  "فل",  "وك"};
  return k;
}

// Folded suffixes: Pashto oblique plural (طالبانو), Persian/Urdu plurals, nisba.
const ShortStrings& ArabicSuffixes() {
  static const ShortStrings k{"و", "ان", "ها", "ي", "ون", "ين", "يان", "ونو", "يانو"};
  return k;
}

// The run of letters of `s` that ends at pos (going left) or starts at pos.
std::string_view LetterRunBefore(std::string_view s, size_t pos) {
  size_t start = pos;
  while (start > 0) {
    const size_t p = PrevStart(s, start);
    if (!IsLetter(DecodeAt(s, p))) break;
    start = p;
  }
  return s.substr(start, pos - start);
}
std::string_view LetterRunAfter(std::string_view s, size_t pos) {
  size_t end = pos;
  while (end < s.size()) {
    size_t len = 1;
    if (!IsLetter(DecodeAt(s, end, &len))) break;
    end += len;
  }
  return s.substr(pos, end - pos);
}
size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Boundary BoundaryOf(char32_t cp) {
  if (IsArabicScript(static_cast<int32_t>(cp))) return kArabic;
  if (IsUnspacedScript(static_cast<int32_t>(cp))) return kUnspaced;
  return kWord;
}

// Spelling variants of a folded Latin name: each separator (space, hyphen) may be
// a space, a hyphen or nothing (al-Qaeda, al Qaeda, AlQaeda), and apostrophes may
// be left out (al-Qa`ida, al-Qaida). Capped at 3 separators.
std::vector<std::string> Variants(const std::string& folded) {
  std::vector<std::string> out{folded};
  const bool latin =
      std::all_of(folded.begin(), folded.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!latin) {
    // Arabic script: the article may merge into a preceding ل; spaces and
    // hyphens still vary.
    std::string v = folded;
    std::replace(v.begin(), v.end(), '-', ' ');
    if (v != folded) out.push_back(v);
    return out;
  }
  std::string base;
  for (char c : folded)
    if (c != '\'') base.push_back(c);
  if (base != folded && !base.empty()) out.push_back(base);
  for (const std::string& b : std::vector<std::string>(out)) {
    std::vector<size_t> seps;
    for (size_t i = 0; i < b.size(); ++i)
      if (b[i] == ' ' || b[i] == '-') seps.push_back(i);
    if (seps.empty() || seps.size() > 3) continue;
    size_t combos = 1;
    for (size_t i = 0; i < seps.size(); ++i) combos *= 3;
    for (size_t k = 0; k < combos; ++k) {
      std::string v;
      size_t code = k, next = 0;
      for (size_t i = 0; i < b.size(); ++i) {
        if (next < seps.size() && i == seps[next]) {
          const size_t choice = code % 3;
          code /= 3;
          ++next;
          if (choice == 0) v.push_back(' ');
          if (choice == 1) v.push_back('-');
          continue;
        }
        v.push_back(b[i]);
      }
      out.push_back(v);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

struct CompiledTaxonomy::Hit {
  uint64_t order;  // sort key: title before text, then start, then pattern
  uint32_t pattern;
  uint32_t start;  // original bytes
  uint32_t end;
  uint32_t pool;  // mentions compete for bytes within a pool: 0 entities, 1 + entity for a topic
  Mention::Field field;
};

CompiledTaxonomy::~CompiledTaxonomy() {
  if (db_) hs_free_database(db_);
  if (marked_db_) hs_free_database(marked_db_);
  if (reversed_db_) hs_free_database(reversed_db_);
  if (original_db_) hs_free_database(original_db_);
}

std::shared_ptr<const CompiledTaxonomy> CompileTaxonomy(const Taxonomy& taxonomy) {
  const auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<CompiledTaxonomy> c(new CompiledTaxonomy());
  c->version_ = taxonomy.version;
  std::vector<std::string> literals;

  // A folded literal (plus the exact letters for case-sensitive aliases) names
  // one entity. Forms have a strength: hand-written (2), generated (1: countries
  // from iso-codes), derived (0: Traditional Chinese forms of a hand-written alias).
  // Two hand-written entries must not collide; otherwise the stronger form takes the
  // literal, and one shared by two entries' forms of equal strength (two countries)
  // is ambiguous and dropped.
  struct Owner {
    size_t entity;
    int strength;
    std::vector<size_t> patterns;
  };
  std::map<std::string, Owner> owners;
  std::set<std::string> ambiguous;
  // Opened at the first Simplified Chinese alias (OpenCC loads its tables).
  std::optional<TraditionalChinese> traditional;

  for (size_t ei = 0; ei < taxonomy.entities.size(); ++ei) {
    const TaxonomyEntity& e = taxonomy.entities[ei];
    c->entities_.push_back({e.id, e.type, e.name, e.parent, e.type == "topic"});
    for (const TaxonomyAlias& a : e.aliases) {
      // Traditional spellings of a Simplified Chinese alias (伊斯兰国 -> 伊斯蘭國) and of its
      // context words: Taiwan and Hong Kong media write Traditional.
      const bool simplified_chinese = a.lang == "zh" && !e.generated;
      auto traditional_forms = [&](const std::string& text) {
        if (!traditional) {
          try {
            traditional.emplace();
          } catch (const std::runtime_error& err) {
            throw ConfigError(e.file + ": " + e.id + ": " + err.what());
          }
        }
        return traditional->FormsOf(text);
      };
      auto add_context = [&](const std::vector<std::string>& words, std::vector<std::string>& out) {
        for (const auto& w : words) {
          out.push_back(FoldString(w));
          if (!simplified_chinese) continue;
          for (const auto& t : traditional_forms(w)) out.push_back(FoldString(t));
        }
      };
      const std::string folded = FoldString(a.text);
      if (folded.empty() || folded.find_first_not_of(" -'\".") == std::string::npos) {
        throw ConfigError(e.file + ": " + e.id + ": alias \"" + a.text + "\" has no letters after folding");
      }
      CompiledTaxonomy::Alias alias;
      alias.text = a.text;
      alias.match_case = a.match_case;
      for (char32_t cp : Decode(a.text))
        if (IsLetter(static_cast<int32_t>(cp))) alias.letters.push_back(cp);
      add_context(a.near, alias.near);
      add_context(a.not_near, alias.not_near);
      alias.window = a.window;
      const auto alias_index = static_cast<uint32_t>(c->aliases_.size());
      c->aliases_.push_back(std::move(alias));

      const std::u32string cps = Decode(folded);
      const Boundary left = BoundaryOf(cps.front());
      const Boundary right = BoundaryOf(cps.back());
      uint8_t flags = 0;
      const bool cyrillic_end = IsCyrillic(static_cast<int32_t>(cps.back()));
      if (cyrillic_end && a.match_case != TaxonomyAlias::Case::kSensitive) flags |= kCyrillicEndings;

      std::vector<std::pair<std::string, uint8_t>> forms;
      if (a.match_case == TaxonomyAlias::Case::kSensitive) {
        // Acronyms (IS, LeT, ИГИЛ) are matched on the original bytes, in a
        // database of their own: in the folded view "is" or "us" would fire in
        // every other word. Separators still vary (ISIS-K, ISIS K, ISIS‑K).
        std::string text = a.text;
        while (!text.empty() && text.back() == ' ') text.pop_back();
        while (!text.empty() && text.front() == ' ') text.erase(0, 1);
        for (const auto& v : Variants(text)) {
          forms.emplace_back(v, kOriginal);
          if (v.find('-') != std::string::npos) {
            for (const char* dash : {"\u2010", "\u2011", "\u2013"}) {
              std::string d;
              for (char ch : v) d += ch == '-' ? std::string(dash) : std::string(1, ch);
              forms.emplace_back(d, kOriginal);
            }
          }
        }
      } else if (e.generated) {
        // Generated names (countries in ~150 languages) are taken as written: their
        // spelling variants would triple the database for little gain.
        forms.emplace_back(folded, flags);
      } else {
        for (const auto& v : Variants(folded)) forms.emplace_back(v, flags);
      }
      // Russian nouns ending in a vowel change it: Аль-Каида -> Аль-Каиды.
      if ((flags & kCyrillicEndings) && cps.size() >= 5 && a.match_case != TaxonomyAlias::Case::kSensitive) {
        static const std::u32string kVowels = U"аяоеиыь";
        if (kVowels.find(cps.back()) != std::u32string::npos) {
          forms.emplace_back(Encode(std::u32string_view(cps).substr(0, cps.size() - 1)), flags | kNeedsEnding);
        }
      }
      // للقاعدة: ل + القاعدة drops the alef of the article.
      if (folded.rfind("ال", 0) == 0 && cps.size() > 3 && a.match_case != TaxonomyAlias::Case::kSensitive) {
        forms.emplace_back("ل" + folded.substr(std::string("ا").size()), kAfterLl);
      }
      // The Traditional spellings are derived forms, which yield to any form another
      // entry lists or generates.
      const size_t first_derived = forms.size();
      if (simplified_chinese && a.match_case != TaxonomyAlias::Case::kSensitive) {
        for (const auto& t : traditional_forms(a.text)) {
          const std::string f = FoldString(t);
          if (f != folded) forms.emplace_back(f, flags);
        }
      }

      for (size_t fi = 0; fi < forms.size(); ++fi) {
        const auto& [form, form_flags] = forms[fi];
        const int strength = fi >= first_derived ? 0 : e.generated ? 1 : 2;
        // Forms that differ only by a space for a hyphen are one marked literal.
        uint8_t view = 0;
        if ((form_flags & kOriginal) == 0 && IsAscii(form)) {
          view = kMarked;
        } else if ((form_flags & kOriginal) == 0 && ((form_flags & kAfterLl) ? kArabic : left) == kWord &&
                   IsAsciiOrCyrillic(form)) {
          view = kReversed;
        }
        const std::string literal = view == kMarked     ? MarkedLiteral(form)
                                    : view == kReversed ? ReversedLiteral(form)
                                                        : form;
        std::string key = literal + '\0' + std::to_string(form_flags);
        if (a.match_case == TaxonomyAlias::Case::kSensitive) key += '\0' + Encode(c->aliases_[alias_index].letters);
        if (a.match_case == TaxonomyAlias::Case::kCapitalized) key += std::string("\0cap", 4);
        auto it = owners.find(key);
        if (it != owners.end() && it->second.entity != ei) {
          const TaxonomyEntity& other = taxonomy.entities[it->second.entity];
          if (strength == 2 && it->second.strength == 2) {
            throw ConfigError(e.file + ": " + e.id + ": alias \"" + a.text + "\" also names " + other.id + " (" +
                              other.file + ")");
          }
          if (strength == it->second.strength) ambiguous.insert(key);
          if (strength > it->second.strength) {  // the stronger form takes it
            ambiguous.erase(key);
            // Its patterns now read this alias: its text, case and context rules.
            for (size_t p : it->second.patterns) {
              c->patterns_[p].entity = static_cast<uint32_t>(ei);
              c->patterns_[p].alias = alias_index;
            }
            it->second.entity = ei;
            it->second.strength = strength;
          }
          continue;
        }
        if (it != owners.end()) {  // same entity, same form: it keeps the stronger claim
          it->second.strength = std::max(it->second.strength, strength);
          continue;
        }
        Owner& owner = owners[key];
        owner.entity = ei;
        owner.strength = strength;
        owner.patterns.push_back(c->patterns_.size());
        CompiledTaxonomy::Pattern p;
        p.entity = static_cast<uint32_t>(ei);
        p.alias = alias_index;
        p.length = static_cast<uint32_t>(form.size());
        p.left = (form_flags & kAfterLl) ? kArabic : left;
        p.right = right;
        p.flags = form_flags | view;
        if (view != 0) {
          p.form = static_cast<uint32_t>(c->marked_forms_.size());
          c->marked_forms_.push_back(form);
        }
        c->patterns_.push_back(p);
        literals.push_back(literal);
      }
    }
  }
  // Drop ambiguous generated names (they keep their slot with an id no one uses).
  std::vector<CompiledTaxonomy::Pattern> kept;
  std::vector<std::string> kept_literals;
  {
    std::set<size_t> dropped;
    for (const auto& key : ambiguous)
      for (size_t p : owners[key].patterns) dropped.insert(p);
    for (size_t i = 0; i < c->patterns_.size(); ++i) {
      if (dropped.count(i)) continue;
      kept.push_back(c->patterns_[i]);
      kept_literals.push_back(std::move(literals[i]));
    }
  }
  c->patterns_ = std::move(kept);
  if (c->patterns_.empty()) throw ConfigError("taxonomy has no aliases to match");
  for (size_t i = 0; i < kept_literals.size(); ++i) {
    const size_t run = LongestRun(kept_literals[i]);
    if (run < kMaxLiteralRun) continue;
    const CompiledTaxonomy::Pattern& p = c->patterns_[i];
    throw ConfigError(taxonomy.entities[p.entity].file + ": " + c->entities_[p.entity].id + ": alias \"" +
                      c->aliases_[p.alias].text + "\" has " + std::to_string(run) +
                      " equal characters or separators in a row (at most " + std::to_string(kMaxLiteralRun - 1) +
                      "): Hyperscan 5.4.0 cannot scan for such a name reliably");
  }

  // Four databases: folded non-ASCII literals (scanned on the folded view), ASCII
  // ones between delimiters (on the marked view), Cyrillic ones backwards (on the
  // reversed view) and the case-sensitive ones (on the original). Ids index
  // patterns_ in all.
  size_t db_size = 0;
  for (const uint8_t kind : {uint8_t{0}, uint8_t{kMarked}, uint8_t{kReversed}, uint8_t{kOriginal}}) {
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < kept_literals.size(); ++i) {
      if ((c->patterns_[i].flags & (kMarked | kReversed | kOriginal)) != kind) continue;
      exprs.push_back(kept_literals[i].data());
      lens.push_back(kept_literals[i].size());
      flags.push_back(0);
      ids.push_back(static_cast<unsigned>(i));
    }
    if (exprs.empty()) continue;
    hs_database_t*& db = kind == kOriginal   ? c->original_db_
                         : kind == kMarked   ? c->marked_db_
                         : kind == kReversed ? c->reversed_db_
                                             : c->db_;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), static_cast<unsigned>(exprs.size()),
                             HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
      std::string msg = error ? error->message : "unknown error";
      if (error && error->expression >= 0) {
        const auto& p = c->patterns_[ids[static_cast<size_t>(error->expression)]];
        msg += " (" + c->entities_[p.entity].id + ": \"" + c->aliases_[p.alias].text + "\")";
      }
      if (error) hs_free_compile_error(error);
      throw ConfigError("taxonomy does not compile: " + msg);
    }
    size_t size = 0;
    hs_database_size(db, &size);
    db_size += size;
  }
  if (!c->db_ && !c->marked_db_ && !c->reversed_db_) throw ConfigError("taxonomy has only case-sensitive aliases");
  c->generation_ = next_generation.fetch_add(1);
  c->stats_.entities = c->entities_.size();
  c->stats_.patterns = c->patterns_.size();
  c->stats_.database_bytes = db_size;
  c->stats_.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

namespace {

struct ScanContext {
  std::vector<std::pair<uint32_t, uint32_t>>* raw;  // (pattern, end)
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  static_cast<ScanContext*>(ctx)->raw->emplace_back(id, static_cast<uint32_t>(to));
  return 0;
}

// Whether a word whose first character has the boundary `left` may start at
// text[start]: anywhere in scripts without spaces, after a non-word character in the
// others, and in Arabic script also after an attached prefix (only و ف before a ل
// that took the article's alef). Names and context words alike.
bool StartsWord(std::string_view text, size_t start, uint8_t left, bool after_ll = false) {
  if (left == kUnspaced || start == 0) return true;
  if (left == kWord) return !IsWordChar(DecodeAt(text, PrevStart(text, start)));
  const std::string_view prefix = LetterRunBefore(text, start);
  if (prefix.empty()) return !IsWordChar(DecodeAt(text, PrevStart(text, start)));
  if (after_ll) return prefix == "و" || prefix == "ف";
  return ArabicPrefixes().Contains(prefix);
}

bool LeftOk(std::string_view text, size_t start, const CompiledTaxonomy::Pattern& p) {
  return StartsWord(text, start, p.left, (p.flags & kAfterLl) != 0);
}

// The end of the mention (past any allowed ending), or npos when the hit is
// inside a longer word.
size_t RightEnd(std::string_view text, size_t end, const CompiledTaxonomy::Pattern& p) {
  if (p.right == kUnspaced) return end;
  if (end >= text.size() || !IsWordChar(DecodeAt(text, end))) return (p.flags & kNeedsEnding) ? std::string::npos : end;
  const std::string_view run = LetterRunAfter(text, end);
  const size_t after = end + run.size();
  if (after < text.size() && IsWordChar(DecodeAt(text, after))) return std::string::npos;  // digits etc.
  if (p.right == kWord) {
    if ((p.flags & kCyrillicEndings) && CyrillicEndings().Contains(run)) return after;
    return std::string::npos;
  }
  // Arabic script: short names take no suffix (حماس, not حماسي "enthusiastic").
  const size_t letters = CountCodePoints(std::string_view(text).substr(end - p.length, p.length));
  if (letters < 5 || !ArabicSuffixes().Contains(run)) return std::string::npos;
  return after;
}

// Whether one of the folded words starts a word within `window` characters of
// [start, end) in `text`.
bool AnyNear(std::string_view text, size_t start, size_t end, int window, const std::vector<std::string>& words) {
  size_t ws = start, we = end;
  for (int i = 0; i < window && ws > 0; ++i) ws = PrevStart(text, ws);
  for (int i = 0; i < window && we < text.size(); ++i) {
    size_t len = 1;
    DecodeAt(text, we, &len);
    we += len;
  }
  const std::string_view span = text.substr(ws, we - ws);
  for (const auto& w : words) {
    for (size_t pos = span.find(w); pos != std::string_view::npos; pos = span.find(w, pos + 1)) {
      const size_t abs = ws + pos;
      if (abs >= start && abs < end) continue;  // the mention itself
      // It must start a word as a name would (在索马里 has 索马里, والجوية has الجوية).
      if (StartsWord(text, abs, w.empty() ? kWord : BoundaryOf(static_cast<char32_t>(DecodeAt(w, 0))))) return true;
    }
  }
  return false;
}

bool CaseOk(std::string_view original, uint32_t start, uint32_t end, const CompiledTaxonomy::Alias& a) {
  if (a.match_case == TaxonomyAlias::Case::kInsensitive) return true;
  if (a.match_case == TaxonomyAlias::Case::kCapitalized) {
    for (size_t pos = start; pos < end;) {
      size_t len = 1;
      const int32_t cp = DecodeAt(original, pos, &len);
      if (IsLetter(cp)) {
        const auto cat = utf8proc_category(cp);
        return cat != UTF8PROC_CATEGORY_LL;
      }
      pos += len;
    }
    return false;
  }
  size_t k = 0;
  for (size_t pos = start; pos < end;) {
    size_t len = 1;
    const int32_t cp = DecodeAt(original, pos, &len);
    pos += len;
    if (!IsLetter(cp)) continue;
    if (k >= a.letters.size() || a.letters[k] != static_cast<char32_t>(cp)) return false;
    ++k;
  }
  return k == a.letters.size();
}

}  // namespace

void CompiledTaxonomy::Scan(const FoldedText& folded, const std::string& original, Mention::Field field,
                            std::vector<Hit>& hits) const {
  if (folded.text.empty()) return;
  ScratchCache& cache = tls_scratch;
  if (cache.generation != generation_) {
    for (const hs_database_t* db : {db_, marked_db_, reversed_db_, original_db_}) {
      if (db && hs_alloc_scratch(db, &cache.scratch) != HS_SUCCESS) throw std::bad_alloc();
    }
    cache.generation = generation_;
  }
  thread_local std::vector<std::pair<uint32_t, uint32_t>> raw;
  thread_local std::string marked, scratch;
  ScanContext ctx{&raw};
  const std::string_view text = folded.text;
  const uint64_t field_order = field == Mention::Field::kTitle ? 0 : uint64_t{1} << 63;
  auto add = [&](uint32_t id, uint32_t start, uint32_t end) {
    const Pattern& p = patterns_[id];
    const uint32_t pool = entities_[p.entity].topic ? 1 + p.entity : 0;
    hits.push_back({field_order | (uint64_t{start} << 31) | id, id, start, end, pool, field});
  };
  // A raw hit [start, end) of the folded view: boundaries, case, context.
  auto check = [&](uint32_t id, size_t start, size_t end) {
    const Pattern& p = patterns_[id];
    if (!LeftOk(text, start, p)) return;
    const size_t mention_end = RightEnd(text, end, p);
    if (mention_end == std::string::npos) return;
    const Alias& a = aliases_[p.alias];
    const uint32_t os = folded.ToOriginalStart(start);
    const uint32_t oe = folded.ToOriginalEnd(mention_end);
    if (!CaseOk(original, os, oe, a)) return;
    if (!a.near.empty() && !AnyNear(text, start, mention_end, a.window, a.near)) return;
    if (!a.not_near.empty() && AnyNear(text, start, mention_end, a.window, a.not_near)) return;
    add(id, os, oe);
  };
  if (db_) {
    raw.clear();
    CheckScan(hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, cache.scratch, OnMatch, &ctx),
              "taxonomy");
    for (const auto& [id, end] : raw) check(id, end - patterns_[id].length, end);
  }
  bool cyrillic = true;  // unless the marked view says otherwise
  if (marked_db_) {
    cyrillic = MarkText(text, marked);
    raw.clear();
    CheckScan(hs_scan(marked_db_, marked.data(), static_cast<unsigned>(marked.size()), 0, cache.scratch, OnMatch, &ctx),
              "taxonomy");
    for (const auto& [id, marked_end] : raw) {
      const Pattern& p = patterns_[id];
      const size_t end = marked_end - 2;  // the trailing delimiter, and the view's leading one
      const size_t start = end - p.length;
      if (!SeparatorsOk(text, start, marked_forms_[p.form])) continue;
      check(id, start, end);
    }
  }
  if (reversed_db_ && cyrillic) {
    ReverseText(text, scratch, marked);
    raw.clear();
    CheckScan(
        hs_scan(reversed_db_, marked.data(), static_cast<unsigned>(marked.size()), 0, cache.scratch, OnMatch, &ctx),
        "taxonomy");
    for (const auto& [id, reversed_end] : raw) {
      const Pattern& p = patterns_[id];
      const size_t start = text.size() + 1 - reversed_end;  // the delimiter is the view's byte before the name
      if (!SeparatorsOk(text, start, marked_forms_[p.form])) continue;
      check(id, start, start + p.length);
    }
  }
  if (!original_db_) return;
  raw.clear();
  CheckScan(
      hs_scan(original_db_, original.data(), static_cast<unsigned>(original.size()), 0, cache.scratch, OnMatch, &ctx),
      "taxonomy");
  for (const auto& [id, end] : raw) {
    const Pattern& p = patterns_[id];
    const size_t start = end - p.length;
    if (!LeftOk(original, start, p) || RightEnd(original, end, p) != end) continue;
    const Alias& a = aliases_[p.alias];
    if (!a.near.empty() || !a.not_near.empty()) {  // context is read in the folded view
      const auto fs = static_cast<size_t>(
          std::lower_bound(folded.origin.begin(), folded.origin.end(), static_cast<uint32_t>(start)) -
          folded.origin.begin());
      const auto fe =
          static_cast<size_t>(std::lower_bound(folded.origin.begin(), folded.origin.end(), static_cast<uint32_t>(end)) -
                              folded.origin.begin());
      if (!a.near.empty() && !AnyNear(text, fs, fe, a.window, a.near)) continue;
      if (!a.not_near.empty() && AnyNear(text, fs, fe, a.window, a.not_near)) continue;
    }
    add(id, static_cast<uint32_t>(start), end);
  }
}

std::vector<Tag> CompiledTaxonomy::Match(const Article& article, size_t max_mentions) const {
  // Per-thread buffers: the hot path allocates only what it returns.
  thread_local std::vector<Hit> hits;
  thread_local std::vector<uint32_t> stamps;  // owner stamp per original byte, see below
  thread_local uint32_t stamp = 0;
  thread_local std::vector<int32_t> slot_of_entity;
  hits.clear();
  const bool have_title = !article.folded_title.empty() || article.title.empty();
  const bool have_text = !article.folded_text.empty() || article.text.empty();
  if (have_title) {
    Scan(article.folded_title, article.title, Mention::Field::kTitle, hits);
  } else {
    Scan(Fold(article.title), article.title, Mention::Field::kTitle, hits);
  }
  if (have_text) {
    Scan(article.folded_text, article.text, Mention::Field::kText, hits);
  } else {
    Scan(Fold(article.text), article.text, Mention::Field::kText, hits);
  }
  if (hits.empty()) return {};

  // In reading order: title first, then by start.
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.order < b.order; });

  // Overlaps: the longest mention wins (Tehrik-i-Taliban Pakistan, not also
  // Taliban). Entities compete with each other; a topic's keywords only with
  // that topic's other keywords, so "suicide bombing" is both a suicide bombing
  // and an attack. Most mentions overlap nothing; those that do form clusters
  // (runs of overlapping mentions), resolved one by one: longest first within a
  // pool, each (cluster, pool) claiming bytes with a fresh stamp, so the stamp
  // buffer never needs clearing.
  const size_t longest = std::max(article.title.size(), article.text.size());
  if (stamps.size() < longest) stamps.resize(longest, 0);
  if (stamp > UINT32_MAX - hits.size() - 2) {
    std::fill(stamps.begin(), stamps.end(), 0);
    stamp = 0;
  }
  size_t kept = 0;
  for (size_t i = 0; i < hits.size();) {
    size_t j = i + 1;
    uint32_t reach = hits[i].end;
    while (j < hits.size() && hits[j].field == hits[i].field && hits[j].start < reach) {
      reach = std::max(reach, hits[j].end);
      ++j;
    }
    if (j == i + 1) {
      hits[kept++] = hits[i];
      i = j;
      continue;
    }
    std::sort(hits.begin() + static_cast<ptrdiff_t>(i), hits.begin() + static_cast<ptrdiff_t>(j),
              [](const Hit& a, const Hit& b) {
                if (a.pool != b.pool) return a.pool < b.pool;
                if (a.end - a.start != b.end - b.start) return a.end - a.start > b.end - b.start;
                return a.order < b.order;
              });
    size_t survivors = i;
    for (size_t k = i; k < j; ++k) {
      const Hit& h = hits[k];
      if (k == i || h.pool != hits[k - 1].pool) ++stamp;
      bool free = true;
      for (uint32_t b = h.start; b < h.end && free; ++b) free = stamps[b] != stamp;
      if (!free) continue;
      for (uint32_t b = h.start; b < h.end; ++b) stamps[b] = stamp;
      hits[survivors++] = h;
    }
    std::sort(hits.begin() + static_cast<ptrdiff_t>(i), hits.begin() + static_cast<ptrdiff_t>(survivors),
              [](const Hit& a, const Hit& b) { return a.order < b.order; });
    for (size_t k = i; k < survivors; ++k) hits[kept++] = hits[k];
    i = j;
  }
  hits.resize(kept);

  // Tags: counts and order first, so each tag's strings and mention list are
  // allocated once, at their final size.
  struct Building {
    uint32_t entity = 0;
    uint32_t count = 0;
    uint32_t title_count = 0;
    uint64_t first = UINT64_MAX;  // (field, start) of the first mention
  };
  thread_local std::vector<Building> built;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> keywords_seen;  // (tag, alias)
  built.clear();
  keywords_seen.clear();
  if (slot_of_entity.size() < entities_.size()) slot_of_entity.resize(entities_.size(), -1);
  for (const Hit& h : hits) {
    const Pattern& p = patterns_[h.pattern];
    int32_t& slot = slot_of_entity[p.entity];
    if (slot < 0) {
      slot = static_cast<int32_t>(built.size());
      built.push_back({p.entity});
    }
    Building& b = built[static_cast<size_t>(slot)];
    ++b.count;
    if (h.field == Mention::Field::kTitle) ++b.title_count;
    b.first = std::min(b.first, (h.field == Mention::Field::kTitle ? 0 : (uint64_t{1} << 32)) | h.start);
  }
  std::sort(built.begin(), built.end(), [this](const Building& a, const Building& b) {
    if ((a.title_count > 0) != (b.title_count > 0)) return a.title_count > 0;
    if (a.count != b.count) return a.count > b.count;
    if (a.first != b.first) return a.first < b.first;
    return entities_[a.entity].id < entities_[b.entity].id;
  });
  std::vector<Tag> tags(built.size());
  for (size_t i = 0; i < built.size(); ++i) {
    const Entity& e = entities_[built[i].entity];
    Tag& t = tags[i];
    t.id = e.id;
    t.type = e.type;
    t.name = e.name;
    t.count = built[i].count;
    t.mentions.reserve(std::min<size_t>(built[i].count, max_mentions));
    slot_of_entity[built[i].entity] = static_cast<int32_t>(i);
  }
  for (const Hit& h : hits) {
    const Pattern& p = patterns_[h.pattern];
    const auto index = static_cast<uint32_t>(slot_of_entity[p.entity]);
    Tag& t = tags[index];
    if (t.mentions.size() < max_mentions) {
      const std::string& src = h.field == Mention::Field::kTitle ? article.title : article.text;
      t.mentions.push_back({h.field, h.start, h.end, src.substr(h.start, h.end - h.start)});
    }
    if (entities_[p.entity].topic &&
        std::find(keywords_seen.begin(), keywords_seen.end(), std::make_pair(index, p.alias)) == keywords_seen.end()) {
      keywords_seen.emplace_back(index, p.alias);
      t.keywords.push_back(aliases_[p.alias].text);
    }
  }
  for (const Building& b : built) slot_of_entity[b.entity] = -1;
  return tags;
}

}  // namespace ingestd
