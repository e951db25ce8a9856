#include "stages/language/markers.h"

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "stages/language/letters.h"

namespace ingestd::language {
namespace {

// Weights: 2 = a form the other language does not write; 1 = much more frequent in
// one of the two; 0.5 = a lean. Positive for Malay / Dari, negative for Indonesian /
// Persian. Two-word markers are written with one space ("apa pun").
struct Marker {
  std::string_view word;
  double weight;
};

constexpr std::array kIndonesianMalay = std::to_array<Marker>({
    // Malay spellings and words.
    {"bahawa", 2},
    {"kerana", 2},
    {"iaitu", 2},
    {"sahaja", 2},
    {"antarabangsa", 2},
    {"sentiasa", 2},
    {"sesiapa", 2},
    {"sebarang", 2},
    {"memperolehi", 2},
    {"mana mana", 2},
    {"apa apa", 1},
    {"kahwin", 2},
    {"berkahwin", 2},
    {"perkahwinan", 2},
    {"wang", 2},
    {"ugama", 2},
    {"selepas", 2},
    {"kanak", 2},
    {"polis", 2},
    {"pejabat", 2},
    {"syarikat", 2},
    {"cukai", 2},
    {"universiti", 2},
    {"mahkamah", 2},
    {"jenayah", 2},
    {"percuma", 2},
    {"perkhidmatan", 2},
    {"kenderaan", 2},
    {"maklumat", 2},
    {"kualiti", 2},
    {"mahu", 2},
    {"fikiran", 2},
    {"berfikir", 2},
    {"faham", 1},
    {"cuba", 2},
    {"isteri", 2},
    {"lelaki", 2},
    {"manakala", 2},
    {"bagaimanapun", 2},
    {"kerajaan", 1},
    {"hendaklah", 1},
    {"daripada", 1},
    {"sekiranya", 1},
    {"semasa", 1},
    {"tiada", 1},
    {"boleh", 0.5},
    {"asas", 1},
    {"bilangan", 1},
    {"hospital", 1},
    {"kesemua", 1},
    {"baharu", 1},
    {"hadapan", 1},
    {"kebangsaan", 0.5},
    {"jabatan", 1},
    {"aktiviti", 2},
    {"komuniti", 2},
    {"identiti", 2},
    {"kerakyatan", 2},
    {"rakyat", 0.5},
    {"ahli", 0.5},
    {"peribadi", 2},
    {"bas", 2},
    {"teksi", 2},
    {"televisyen", 2},
    {"telefon", 2},
    {"filem", 2},
    {"muzik", 2},
    {"kad", 2},
    {"julai", 2},
    {"mac", 2},
    {"jun", 2},
    {"ogos", 2},
    {"disember", 2},
    {"khamis", 2},
    {"isnin", 2},
    {"jumaat", 2},
    {"ahad", 1},
    {"projek", 2},
    {"jawatankuasa", 2},
    {"kempen", 2},
    {"pilihan raya", 2},
    {"parlimen", 2},
    {"tentera", 2},
    {"askar", 1},
    {"kakitangan", 2},
    {"awam", 1},
    {"berkenaan", 1},
    {"hantar", 1},
    {"amat", 0.5},
    {"bekas", 0.5},
    // Indonesian spellings and words.
    {"bahwa", -2},
    {"karena", -2},
    {"yaitu", -2},
    {"saja", -2},
    {"internasional", -2},
    {"senantiasa", -2},
    {"apapun", -2},
    {"apa pun", -2},
    {"siapapun", -2},
    {"siapa pun", -2},
    {"kawin", -2},
    {"perkawinan", -2},
    {"menikah", -2},
    {"uang", -2},
    {"sesudah", -2},
    {"kantor", -2},
    {"perusahaan", -1},
    {"pajak", -2},
    {"universitas", -2},
    {"rumah sakit", -2},
    {"pengadilan", -2},
    {"gratis", -2},
    {"pelayanan", -2},
    {"kendaraan", -2},
    {"informasi", -2},
    {"kualitas", -2},
    {"mau", -2},
    {"pikiran", -2},
    {"berpikir", -2},
    {"paham", -1},
    {"coba", -2},
    {"istri", -2},
    {"manusiawi", -2},
    {"pemerintah", -1},
    {"bisa", -1},
    {"tersebut", -1},
    {"maupun", -1},
    {"meskipun", -1},
    {"setelah", -1},
    {"para", -1},
    {"hukum", -0.5},
    {"kewarganegaraan", -2},
    {"aktivitas", -2},
    {"komunitas", -2},
    {"identitas", -2},
    {"nggak", -2},
    {"enggak", -2},
    {"kalian", -1},
    {"polisi", -1},
    {"anggota", -0.5},
    {"pribadi", -2},
    {"bus", -1},
    {"taksi", -2},
    {"televisi", -2},
    {"telepon", -2},
    {"musik", -2},
    {"kartu", -2},
    {"juli", -2},
    {"maret", -2},
    {"juni", -2},
    {"agustus", -2},
    {"desember", -2},
    {"kamis", -2},
    {"senin", -2},
    {"jumat", -2},
    {"proyek", -2},
    {"kampanye", -2},
    {"pemilu", -2},
    {"parlemen", -2},
    {"tentara", -2},
    {"mantan", -2},
    {"nasional", -1},
    {"diperkenankan", -1},
    {"umum", -0.5},
});

constexpr std::array kPersianDari = std::to_array<Marker>({
    // Dari: the copula written "است-" (Iranian "هست-"), Afghan spellings (ه kept
    // before ‌گی/‌گان, "‌یی" after a final ه where Iranian writes "‌ای"), Afghan terms
    // and the Afghan names of the Gregorian months.
    {"استند", 2},
    {"استم", 2},
    {"استیم", 2},
    {"استید", 2},
    {"ه یی", 2},
    {"ه گی", 2},
    {"ه گان", 2},
    {"ه گانی", 2},
    {"درین", 1},
    {"ازین", 1},
    {"ولسوالی", 2},
    {"ولسوال", 2},
    {"شاروالی", 2},
    {"شاروال", 2},
    {"پوهنتون", 2},
    {"پوهنځی", 2},
    {"څارنوال", 2},
    {"څارنوالی", 2},
    {"ولسی", 2},
    {"مشرانو", 2},
    {"تشناب", 2},
    {"موتر", 2},
    {"داکتر", 2},
    {"شفاخانه", 2},
    {"پولیس", 2},
    {"قوماندان", 2},
    {"قوماندانی", 2},
    {"معینیت", 2},
    {"جنوری", 2},
    {"فبروری", 2},
    {"اپریل", 2},
    {"اگست", 2},
    {"سپتمبر", 2},
    {"اکتوبر", 2},
    {"نومبر", 2},
    {"دسمبر", 2},
    {"سنبله", 1},
    {"جوزا", 1},
    {"کابل", 1},
    {"والی", 1},
    {"ولایت", 0.5},
    {"افغانستان", 0.5},
    {"صنف", 1},
    {"مکتب", 1},
    {"متعلم", 1},
    {"محصل", 1},
    {"تلیفون", 2},
    {"کمپیوتر", 2},
    {"انترنت", 2},
    {"جاپان", 2},
    {"المان", 2},
    {"جنرال", 1},
    {"دیپلومات", 1},
    {"هوتل", 2},
    {"فلم", 2},
    {"دالر", 2},
    {"افغانی", 1},
    {"امریکا", 0.5},
    // Iranian Persian.
    {"ه ای", -1},
    {"استان", -1},
    {"شهرستان", -2},
    {"استانداری", -2},
    {"فرمانداری", -2},
    {"بیمارستان", -2},
    {"پلیس", -2},
    {"شهرداری", -2},
    {"شهردار", -2},
    {"دانشگاه", -1},
    {"دکتر", -1},
    {"تهران", -1},
    {"ایران", -0.5},
    {"فروردین", -2},
    {"اردیبهشت", -2},
    {"خرداد", -2},
    {"مرداد", -2},
    {"شهریور", -2},
    {"آبان", -2},
    {"بهمن", -2},
    {"اسفند", -2},
    {"ژانویه", -2},
    {"فوریه", -2},
    {"آوریل", -2},
    {"سپتامبر", -2},
    {"اکتبر", -2},
    {"نوامبر", -2},
    {"دسامبر", -2},
    {"هستند", -0.5},
    {"دانشجو", -1},
    {"تلفن", -1},
    {"کامپیوتر", -1},
    {"رایانه", -2},
    {"اینترنت", -1},
    {"ژاپن", -2},
    {"آلمان", -1},
    {"ژنرال", -1},
    {"دیپلمات", -1},
    {"هتل", -1},
    {"فیلم", -1},
    {"دلار", -1},
    {"تومان", -2},
    {"ریال", -1},
    {"آمریکا", -1},
});

// Arabic-script variants folded to the Persian letters (ي -> ی, ك -> ک, ى -> ی).
char32_t Fold(char32_t c) {
  switch (c) {
    case 0x64A:
    case 0x649: return 0x6CC;
    case 0x643: return 0x6A9;
    default: return c;
  }
}

uint64_t Hash(std::u32string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char32_t c : s) h = (h ^ static_cast<uint64_t>(c)) * 0x100000001b3ULL;
  return h;
}

std::u32string Decode(std::string_view utf8) {
  std::u32string out;
  Letter l;
  for (size_t i = 0; i < utf8.size();) {
    i += NextLetter(utf8, i, l);
    out.push_back(l.letter || l.mark ? Fold(l.lower) : U' ');
  }
  return out;
}

using Table = std::unordered_map<uint64_t, double>;

const Table& TableOf(LetterlessPair pair) {
  static const auto* tables = [] {
    auto* t = new std::array<Table, 2>();
    for (const auto& m : kIndonesianMalay) (*t)[0][Hash(Decode(m.word))] = m.weight;
    for (const auto& m : kPersianDari) (*t)[1][Hash(Decode(m.word))] = m.weight;
    return t;
  }();
  return (*tables)[pair == LetterlessPair::kIndonesianMalay ? 0 : 1];
}

}  // namespace

LexicalEvidence FindMarkers(LetterlessPair pair, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  const Table& table = TableOf(pair);
  const bool persian = pair == LetterlessPair::kPersianDari;
  LexicalEvidence evidence;
  // Per thread, so a warmed-up worker allocates nothing here.
  thread_local std::u32string word, previous, pair_key;
  word.clear();
  previous.clear();
  auto add = [&](std::u32string_view key) {
    if (const auto it = table.find(Hash(key)); it != table.end()) {
      evidence.score += it->second;
      ++evidence.markers;
    }
  };
  auto finish_word = [&] {
    if (word.empty()) return;
    add(word);
    // Malay and Indonesian attach -nya (its, the): "pribadinya" counts as "pribadi".
    if (!persian && word.size() > 5 && word.ends_with(U"nya"))
      add(std::u32string_view(word).substr(0, word.size() - 3));
    if (!previous.empty()) {
      pair_key.clear();
      // Persian: a suffix written apart (after a zero-width non-joiner) joins the
      // final letter of the word before it: "جامعه‌یی" -> "ه یی".
      if (persian) {
        pair_key.push_back(previous.back());
      } else {
        pair_key.append(previous);
      }
      pair_key.push_back(U' ');
      pair_key.append(word);
      add(pair_key);
    }
    previous.swap(word);
    word.clear();
  };
  Letter l;
  for (size_t i = 0; i < text.size();) {
    i += NextLetter(text, i, l);
    if (l.letter || l.mark) {
      word.push_back(Fold(l.lower));
    } else {
      finish_word();
    }
  }
  finish_word();
  return evidence;
}

}  // namespace ingestd::language
