#include "stages/language/confusables.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "stages/language/group_model_data.h"

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
constexpr std::u32string_view kPashtoOnly = U"ټډړږښګڼۍځڅ";
constexpr std::u32string_view kUrduOnly = U"ٹڈڑںےۓہ";
constexpr std::u32string_view kSoraniOnly = U"ڕڵێ";
constexpr std::u32string_view kUyghurOnly = U"ۇۈۋڭ";
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

// The letters (and marks) of `text`, lower-cased, split into words.
std::vector<std::u32string> Words(std::string_view text) {
  std::vector<std::u32string> words;
  std::u32string current;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: skip it
      n = 1;
      cp = -1;
    }
    p += n;
    left -= n;
    const auto category = cp < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(cp);
    const bool letter = (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) ||
                        category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC;
    if (letter) {
      current.push_back(static_cast<char32_t>(utf8proc_tolower(cp)));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::string Utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char32_t c : s) {
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  return out;
}

// All group tables in one map, so scoring a gram is one lookup for every language.
struct Models {
  std::vector<std::string_view> codes;
  std::vector<float> unseen;                                  // per language
  std::unordered_map<std::string, std::vector<float>> grams;  // gram -> log prob per language
  [[nodiscard]] int Index(std::string_view code) const {
    for (size_t i = 0; i < codes.size(); ++i) {
      if (codes[i] == code) return static_cast<int>(i);
    }
    return -1;
  }
};

const Models& GroupModels() {
  static const Models* models = [] {
    auto* m = new Models();
    const auto& tables = GroupModelTables();
    for (const auto& t : tables) {
      m->codes.push_back(t.code);
      m->unseen.push_back(t.unseen_log_prob);
    }
    for (size_t i = 0; i < tables.size(); ++i) {
      for (const auto& g : tables[i].grams) {
        auto [it, inserted] = m->grams.try_emplace(std::string(g.gram));
        if (inserted) it->second = m->unseen;
        it->second[i] = g.log_prob;
      }
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

// Share of letters in the Arabic block (U+0600-U+06FF, U+0750-U+077F, presentation forms).
bool MostlyArabicScript(const std::vector<std::u32string>& words) {
  size_t arabic = 0, all = 0;
  for (const auto& w : words) {
    for (char32_t c : w) {
      ++all;
      arabic += (c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) || (c >= 0xFB50 && c <= 0xFEFF);
    }
  }
  return all > 0 && arabic * 2 > all;
}

bool MostlyLatin(const std::vector<std::u32string>& words) {
  size_t latin = 0, all = 0;
  for (const auto& w : words) {
    for (char32_t c : w) {
      ++all;
      latin += (c >= U'a' && c <= U'z') || (c >= 0xC0 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF);
    }
  }
  return all > 0 && latin * 10 >= all * 9;
}

bool MostlyCyrillic(const std::vector<std::u32string>& words) {
  size_t cyrillic = 0, all = 0;
  for (const auto& w : words) {
    for (char32_t c : w) {
      ++all;
      cyrillic += c >= 0x400 && c <= 0x52F;
    }
  }
  return all > 0 && cyrillic * 2 > all;
}

// Latin text that uses ê, î or û, no letter outside the Kurmanji alphabet (a-z,
// ç ê î ş û: French, Portuguese and Romanian give themselves away with é à ã ă...)
// and one of Kurmanji's most frequent little words.
bool LooksKurmanji(const std::vector<std::u32string>& words) {
  constexpr std::u32string_view kExtra = U"çêîşû";
  constexpr std::array<std::u32string_view, 14> kLittleWords = {U"û",  U"ji",  U"bi", U"di", U"li", U"ên", U"yên",
                                                                U"ya", U"xwe", U"wî", U"wê", U"jî", U"ku", U"an"};
  size_t marks = 0;
  bool little_word = false;
  for (const auto& w : words) {
    for (char32_t c : w) {
      if (c >= U'a' && c <= U'z') continue;
      if (kExtra.find(c) == std::u32string_view::npos) return false;
      marks += c == U'ê' || c == U'î' || c == U'û';
    }
    little_word = little_word || std::find(kLittleWords.begin(), kLittleWords.end(), w) != kLittleWords.end();
  }
  return marks > 0 && little_word;
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
  const auto words = Words(text);
  if (short_text) {
    if (MostlyLatin(words)) {
      group = kLatinShortText;
    } else if (MostlyCyrillic(words)) {
      group = kCyrillic;
    }
  }
  // A group only speaks for text in its own script (Tatar or Uyghur in Latin letters
  // stay with CLD2).
  if (!group.empty()) {
    const bool arabic = group.data() == kArabicScript.data();
    const bool cyrillic = group.data() == kCyrillic.data();
    const bool script_ok = arabic ? MostlyArabicScript(words) : cyrillic ? MostlyCyrillic(words) : MostlyLatin(words);
    if (!script_ok) return std::nullopt;
  }
  if (group.empty()) {
    if (MostlyArabicScript(words)) {
      group = kArabicScript;
    } else if (LooksKurmanji(words)) {
      group = kTurkicLatin;
    } else if (code.empty() && MostlyCyrillic(words)) {  // CLD2 found nothing
      group = kCyrillic;
    } else {
      return std::nullopt;
    }
  }
  size_t letters = 0;
  for (const auto& w : words) letters += w.size();

  // Step 1: letters.
  const size_t allowance = letters / 100;
  std::vector<std::string_view> survivors;
  for (auto member : group) {
    const auto forbidden = ForbiddenOf(member);
    size_t hits = 0;
    for (const auto& w : words) {
      for (char32_t c : w) hits += forbidden.find(c) != std::u32string_view::npos;
    }
    if (hits <= allowance) survivors.push_back(member);
  }
  if (survivors.empty()) survivors.assign(group.begin(), group.end());
  std::vector<std::string> survivor_codes(survivors.begin(), survivors.end());
  if (survivors.size() == 1) {
    return GroupDecision{std::string(survivors[0]), std::numeric_limits<double>::infinity(), true,
                         std::move(survivor_codes)};
  }

  // Step 2: n-grams among the survivors.
  const Models& models = GroupModels();
  std::vector<int> index(survivors.size());
  for (size_t s = 0; s < survivors.size(); ++s) index[s] = models.Index(survivors[s]);
  constexpr float kNoTable = -30.0f;  // a member without a table is never preferred by n-grams
  std::vector<double> scores(survivors.size(), 0.0);
  size_t grams = 0;
  std::u32string padded;
  std::string gram;
  for (const auto& w : words) {
    padded.clear();  // (not assign(U" "): GCC 12 warns -Wrestrict on it, a false positive)
    padded.push_back(U' ');
    padded.append(w);
    padded.push_back(U' ');
    for (size_t n = 1; n <= 4; ++n) {
      for (size_t i = 0; i + n <= padded.size(); ++i) {
        if (n == 1 && padded[i] == U' ') continue;
        gram = Utf8(std::u32string_view(padded).substr(i, n));
        ++grams;
        const auto it = models.grams.find(gram);
        for (size_t s = 0; s < survivors.size(); ++s) {
          const int l = index[s];
          scores[s] += l < 0 ? kNoTable : (it == models.grams.end() ? models.unseen[l] : it->second[l]);
        }
      }
    }
  }
  size_t best = 0;
  for (size_t s = 1; s < survivors.size(); ++s) {
    if (scores[s] > scores[best]) best = s;
  }
  double runner_up = -std::numeric_limits<double>::infinity();
  for (size_t s = 0; s < survivors.size(); ++s) {
    if (s != best && scores[s] > runner_up) runner_up = scores[s];
  }
  const double margin = grams == 0 ? 0.0 : (scores[best] - runner_up) / static_cast<double>(grams);
  return GroupDecision{std::string(survivors[best]), margin, false, std::move(survivor_codes)};
}

}  // namespace ingestd::language
