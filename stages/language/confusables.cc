#include "stages/language/confusables.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "stages/language/group_model_data.h"
#include "stages/language/letters.h"

namespace ingestd::language {
namespace {

using namespace std::string_view_literals;

constexpr std::array kArabicScript = {"ar"sv, "fa"sv, "prs"sv, "ps"sv, "ur"sv, "ckb"sv, "ug"sv};
constexpr std::array kCyrillic = {"ru"sv, "uk"sv, "be"sv, "bg"sv, "sr"sv, "kk"sv, "ky"sv, "tg"sv, "tt"sv};
constexpr std::array kMalay = {"id"sv, "ms"sv};
constexpr std::array kIberian = {"es"sv, "pt"sv};
constexpr std::array kTurkicLatin = {"ku"sv, "tr"sv, "az"sv};
// Every Latin-script language with an n-gram table: on short text CLD2 often lands on
// English or a rare neighbour (Corsican for Italian, Guarani for Spanish), so short
// Latin text is decided among all of them.
constexpr std::array kLatinShortText = {"id"sv, "ms"sv, "es"sv, "pt"sv, "ku"sv, "tr"sv, "az"sv, "uz"sv,
                                        "so"sv, "ha"sv, "sw"sv, "fr"sv, "en"sv, "de"sv, "it"sv, "nl"sv,
                                        "ro"sv, "pl"sv, "cs"sv, "sv"sv, "fi"sv, "hu"sv, "vi"sv};

// Letters (lower case) a language does not use. Sources: the standard alphabets.
// Shared noise letters (Arabic ي/ی, ك/ک variants) are left out on purpose: texts
// mix them depending on the keyboard.
struct Forbidden {
  std::string_view code;
  std::u32string_view letters;
};
constexpr std::array<Forbidden, 23> kForbidden = {{
    {"ar", U"پچژگټډړږښګڼۍېځڅٹڈڑںےۓہھڕڵێۆەۇۈۋڭ"},
    {"fa", U"ټډړږښګڼۍېځڅٹڈڑںےۓہڕڵێۆەۇۈۋڭ"},
    {"prs", U"ټډړږښګڼۍېځڅٹڈڑںےۓہڕڵێۆەۇۈۋڭ"},
    {"ps", U"ٹڈڑںےۓہڕڵێۆەۇۈۋڭ"},
    {"ur", U"ټډړږښګڼۍېځڅڕڵێۆەۇۈۋڭ"},
    {"ckb", U"ټډړږښګڼۍېځڅٹڈڑںےۓہۇۈۋڭ"},  // no n-gram table: decided by ڕ ڵ ێ
    {"ug", U"ټډړږښګڼۍځڅٹڈڑںےۓہڕڵێ"},
    {"ru", U"іїєґўәғқңөұүһӣӯҳҷҗђјљњћџ"},
    {"uk", U"ыэъёўәғқңөұүһӣӯҳҷҗђјљњћџ"},
    {"be", U"ищъїєґәғқңөұүһӣӯҳҷҗђјљњћџ"},
    {"bg", U"ыэёіїєґўәғқңөұүһӣӯҳҷҗђјљњћџ"},
    {"sr", U"ыэъёщйяюьіїєґўәғқңөұүһӣӯҳҷҗ"},
    {"kk", U"їєґўӣӯҳҷҗђјљњћџ"},
    {"ky", U"іїєґўәғқұһӣӯҳҷҗђјљњћџ"},
    {"tg", U"іїєґўәңөұүһҗђјљњћџыщьц"},
    {"tt", U"іїєґўғқұӣӯҳҷђјљњћџ"},
    {"id", U""},
    {"ms", U""},
    {"es", U"ãõçâêôàè"},
    {"pt", U"ñ"},
    {"ku", U"ığöüə"},
    {"tr", U"êəxqw"},
    {"az", U"êîûw"},
}};

// The letters (and marks) of a text, lower-cased, each word followed by a space: one flat
// buffer per thread, so deciding allocates nothing once the thread has warmed up.
struct Letters {
  std::u32string flat;  // "word word " (U+0020 after every word)
  size_t letters = 0;
  size_t arabic = 0;    // U+0600-U+06FF, U+0750-U+077F, presentation forms
  size_t latin = 0;     // a-z, Latin-1 and Latin Extended letters
  size_t cyrillic = 0;  // U+0400-U+052F
};

void Decode(std::string_view text, Letters& out) {
  out.flat.clear();
  out.letters = out.arabic = out.latin = out.cyrillic = 0;
  bool in_word = false;
  Letter l;
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {  // ASCII fast path
      l.lower = b | 0x20;
      l.letter = l.lower >= U'a' && l.lower <= U'z';
      l.mark = false;
      ++i;
    } else {
      i += NextLetter(text, i, l);
    }
    if (l.letter || l.mark) {
      const char32_t c = l.lower;
      out.flat.push_back(c);
      ++out.letters;
      out.arabic += (c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) || (c >= 0xFB50 && c <= 0xFEFF);
      out.latin += (c >= U'a' && c <= U'z') || (c >= 0xC0 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF);
      out.cyrillic += c >= 0x400 && c <= 0x52F;
      in_word = true;
    } else if (in_word) {
      out.flat.push_back(U' ');
      in_word = false;
    }
  }
  if (in_word) out.flat.push_back(U' ');
}

// Calls f(word) for each word of a flat buffer.
template <typename F>
void ForEachWord(std::u32string_view flat, F&& f) {
  size_t start = 0;
  for (size_t i = 0; i < flat.size(); ++i) {
    if (flat[i] == U' ') {
      f(flat.substr(start, i - start));
      start = i + 1;
    }
  }
}

// A gram's key: FNV-1a over its code points (64 bits: no collision among the tables'
// few thousand grams in practice), so scoring never builds a string.
constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
inline uint64_t Extend(uint64_t key, char32_t c) { return (key ^ static_cast<uint64_t>(c)) * kFnvPrime; }

// All group tables in one open-addressing table, so scoring a gram is one probe for
// every language: key -> a row with each language's cost of the gram (its negated log
// probability in tenths of a nat, the unit the tables are written in; the language's
// unseen cost where its table lacks the gram). A byte per language keeps the 38 tables
// of 1,500 grams (31,419 distinct) in 1.2 MB of rows, and sums of integers are exact.
struct Models {
  struct Slot {
    uint64_t key = 0;  // 0 = empty
    uint32_t row = 0;
  };
  std::vector<std::string_view> codes;
  std::vector<uint8_t> unseen;  // per language, in tenths of a nat
  std::vector<Slot> slots;
  std::vector<uint8_t> costs;  // row-major, codes.size() + 1 per row (the last: kNoTable)
  // A member without a table: the highest cost for every gram, never preferred.
  static constexpr uint8_t kNoTable = 255;
  uint64_t mask = 0;
  int shift = 64;

  // FNV's low bits mix poorly: spread the key with a multiply and take the top bits.
  [[nodiscard]] uint64_t SlotOf(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ULL) >> shift; }

  [[nodiscard]] int Index(std::string_view code) const {
    for (size_t i = 0; i < codes.size(); ++i) {
      if (codes[i] == code) return static_cast<int>(i);
    }
    return -1;
  }
  // The row of `key`, or nullptr when no table has the gram.
  [[nodiscard]] const uint8_t* Find(uint64_t key) const {
    for (uint64_t slot = SlotOf(key);; slot = (slot + 1) & mask) {
      if (slots[slot].key == key) return &costs[static_cast<size_t>(slots[slot].row) * (codes.size() + 1)];
      if (slots[slot].key == 0) return nullptr;
    }
  }
};

uint64_t KeyOf(std::string_view utf8) {
  uint64_t key = kFnvBasis;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(utf8.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) break;
    key = Extend(key, static_cast<char32_t>(cp));
    p += n;
    left -= n;
  }
  return key == 0 ? 1 : key;
}

// A log probability in tenths of a nat as a cost (below kNoTable).
uint8_t Cost(long tenths) { return static_cast<uint8_t>(std::clamp(-tenths, 0L, long{Models::kNoTable} - 1)); }

// Calls f(gram, cost) for each line "<gram>\t<log probability in tenths of a nat>\n".
template <typename F>
void ForEachGram(std::string_view table, F&& f) {
  while (!table.empty()) {
    const size_t tab = table.find('\t');
    const size_t end = table.find('\n', tab);
    if (tab == std::string_view::npos || end == std::string_view::npos) break;
    long tenths = 0;
    std::from_chars(table.data() + tab + 1, table.data() + end, tenths);
    f(table.substr(0, tab), Cost(tenths));
    table.remove_prefix(end + 1);
  }
}

const Models& GroupModels() {
  static const Models* models = [] {
    auto* m = new Models();
    const auto& tables = GroupModelTables();
    for (const auto& t : tables) {
      m->codes.push_back(t.code);
      m->unseen.push_back(Cost(std::lround(10.0 * t.unseen_log_prob)));
    }
    size_t grams = 0;
    for (const auto& t : tables) grams += static_cast<size_t>(std::count(t.grams.begin(), t.grams.end(), '\n'));
    size_t capacity = 16;
    while (capacity < grams * 2) capacity *= 2;
    m->slots.assign(capacity, {});
    m->mask = capacity - 1;
    m->shift = 64 - std::countr_zero(capacity);
    const size_t width = tables.size() + 1;
    uint32_t next_row = 0;
    for (size_t i = 0; i < tables.size(); ++i) {
      ForEachGram(tables[i].grams, [&](std::string_view gram, uint8_t cost) {
        const uint64_t key = KeyOf(gram);
        uint64_t slot = m->SlotOf(key);
        while (m->slots[slot].key != 0 && m->slots[slot].key != key) slot = (slot + 1) & m->mask;
        if (m->slots[slot].key == 0) {
          m->slots[slot] = {key, next_row++};
          m->costs.insert(m->costs.end(), m->unseen.begin(), m->unseen.end());
          m->costs.push_back(Models::kNoTable);
        }
        m->costs[static_cast<size_t>(m->slots[slot].row) * width + i] = cost;
      });
    }
    return m;
  }();
  return *models;
}

std::u32string_view ForbiddenOf(std::string_view code) {
  for (const auto& f : kForbidden) {
    if (f.code == code) return f.letters;
  }
  return {};
}

bool MostlyArabicScript(const Letters& l) { return l.letters > 0 && l.arabic * 2 > l.letters; }
bool MostlyLatin(const Letters& l) { return l.letters > 0 && l.latin * 10 >= l.letters * 9; }
bool MostlyCyrillic(const Letters& l) { return l.letters > 0 && l.cyrillic * 2 > l.letters; }

// Latin text that uses ê, î or û, no letter outside the Kurmanji alphabet (a-z,
// ç ê î ş û: French, Portuguese and Romanian give themselves away with é à ã ă...)
// and one of Kurmanji's most frequent little words.
bool LooksKurmanji(const Letters& l) {
  constexpr std::u32string_view kExtra = U"çêîşû";
  constexpr std::array<std::u32string_view, 14> kLittleWords = {U"û",  U"ji",  U"bi", U"di", U"li", U"ên", U"yên",
                                                                U"ya", U"xwe", U"wî", U"wê", U"jî", U"ku", U"an"};
  size_t marks = 0;
  for (char32_t c : l.flat) {
    if ((c >= U'a' && c <= U'z') || c == U' ') continue;
    if (kExtra.find(c) == std::u32string_view::npos) return false;
    marks += c == U'ê' || c == U'î' || c == U'û';
  }
  if (marks == 0) return false;
  bool little_word = false;
  ForEachWord(l.flat, [&](std::u32string_view w) {
    little_word = little_word || std::find(kLittleWords.begin(), kLittleWords.end(), w) != kLittleWords.end();
  });
  return little_word;
}

}  // namespace

std::span<const std::string_view> GroupOf(std::string_view code) {
  for (auto group : {std::span<const std::string_view>(kArabicScript), std::span<const std::string_view>(kCyrillic),
                     std::span<const std::string_view>(kMalay), std::span<const std::string_view>(kIberian),
                     std::span<const std::string_view>(kTurkicLatin)}) {
    for (auto member : group) {
      if (member == code) return group;
    }
  }
  return {};
}

std::optional<GroupDecision> ResolveConfusable(std::string_view code, std::string_view text, size_t max_bytes,
                                               bool short_text) {
  auto group = GroupOf(code);
  if (text.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  thread_local Letters letters;
  Decode(text, letters);
  if (short_text) {
    const bool other_script_group = group.data() == kCyrillic.data() || group.data() == kArabicScript.data();
    if (MostlyLatin(letters) && !other_script_group) {
      group = kLatinShortText;
    } else if (MostlyCyrillic(letters)) {
      group = kCyrillic;
    }
  }
  // A group only speaks for text in its own script (Tatar or Uyghur in Latin letters
  // stay with CLD2).
  if (!group.empty()) {
    const bool arabic = group.data() == kArabicScript.data();
    const bool cyrillic = group.data() == kCyrillic.data();
    const bool script_ok = arabic     ? MostlyArabicScript(letters)
                           : cyrillic ? MostlyCyrillic(letters)
                                      : MostlyLatin(letters);
    // Text in another script may still be pulled into the group of its own (below):
    // Kurmanji that CLD2 called Tatar.
    if (!script_ok) group = {};
  }
  if (group.empty()) {
    if (MostlyArabicScript(letters)) {
      group = kArabicScript;
    } else if (LooksKurmanji(letters)) {
      group = kTurkicLatin;
    } else if (code.empty() && MostlyCyrillic(letters)) {  // CLD2 found nothing
      group = kCyrillic;
    } else {
      return std::nullopt;
    }
  }

  // Step 1: letters. Every forbidden letter is below U+0800: count those once.
  thread_local std::array<uint32_t, 0x800> counts{};
  for (char32_t c : letters.flat) {
    if (c >= 0x80 && c < 0x800) ++counts[c];
  }
  const size_t allowance = letters.letters / 100;
  thread_local std::vector<std::string_view> survivors;
  survivors.clear();
  for (auto member : group) {
    size_t hits = 0;
    for (char32_t c : ForbiddenOf(member)) hits += c < 0x800 ? counts[c] : 0;
    if (hits <= allowance) survivors.push_back(member);
  }
  for (char32_t c : letters.flat) {
    if (c >= 0x80 && c < 0x800) counts[c] = 0;
  }
  if (survivors.empty()) survivors.assign(group.begin(), group.end());
  if (survivors.size() == 1) {
    return GroupDecision{std::string(survivors[0]), std::numeric_limits<double>::infinity(), true};
  }

  // Step 2: n-grams among the survivors: every 1- to 4-gram of each word padded with
  // spaces (the flat buffer's spaces are the padding), 1-grams of the padding excepted.
  const Models& models = GroupModels();
  constexpr size_t kMaxSurvivors = 32;
  const size_t count = std::min(survivors.size(), kMaxSurvivors);
  std::array<size_t, kMaxSurvivors> column{};
  std::array<uint32_t, kMaxSurvivors> unseen{};
  std::array<uint64_t, kMaxSurvivors> costs{};  // tenths of a nat, summed exactly
  for (size_t s = 0; s < count; ++s) {
    const int index = models.Index(survivors[s]);
    // A member without a table reads the last column (kNoTable): never preferred.
    column[s] = index < 0 ? models.codes.size() : static_cast<size_t>(index);
    unseen[s] = index < 0 ? Models::kNoTable : models.unseen[static_cast<size_t>(index)];
  }
  size_t grams = 0;
  size_t misses = 0;  // grams no table has: each member's unseen cost, added at the end
  const std::u32string& flat = letters.flat;
  auto score = [&](uint64_t key) {
    ++grams;
    const uint8_t* row = models.Find(key == 0 ? 1 : key);
    if (row == nullptr) {
      ++misses;
      return;
    }
    for (size_t s = 0; s < count; ++s) costs[s] += row[column[s]];
  };
  // Position i in " word word ": grams start at a letter or at the space before a word.
  for (size_t i = 0; i < flat.size(); ++i) {
    const bool at_space = flat[i] == U' ';
    if (at_space && i + 1 >= flat.size()) break;
    // A gram may run over the word's end into its trailing space, not further.
    uint64_t key = Extend(kFnvBasis, at_space ? U' ' : flat[i]);
    if (!at_space) score(key);
    for (size_t n = 2, j = i + 1; n <= 4 && j < flat.size(); ++n, ++j) {
      key = Extend(key, flat[j]);
      score(key);
      if (flat[j] == U' ') break;
    }
  }
  // The first word's leading pad: the flat buffer has no space before it.
  if (!flat.empty() && flat[0] != U' ') {
    uint64_t key = Extend(kFnvBasis, U' ');
    for (size_t n = 2, j = 0; n <= 4 && j < flat.size(); ++n, ++j) {
      key = Extend(key, flat[j]);
      score(key);
      if (flat[j] == U' ') break;
    }
  }
  for (size_t s = 0; s < count; ++s) costs[s] += misses * unseen[s];
  size_t best = 0;
  for (size_t s = 1; s < count; ++s) {
    if (costs[s] < costs[best]) best = s;
  }
  uint64_t runner_up = std::numeric_limits<uint64_t>::max();
  for (size_t s = 0; s < count; ++s) {
    if (s != best && costs[s] < runner_up) runner_up = costs[s];
  }
  // Mean log-odds per gram, in nats.
  const double margin = grams == 0 || runner_up == std::numeric_limits<uint64_t>::max()
                            ? 0.0
                            : static_cast<double>(runner_up - costs[best]) / 10.0 / static_cast<double>(grams);
  return GroupDecision{std::string(survivors[best]), margin, false};
}

}  // namespace ingestd::language
