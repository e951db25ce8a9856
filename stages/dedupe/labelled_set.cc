#include "stages/dedupe/labelled_set.h"

#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>

#include "config/normalize_config.h"
#include "stages/clock.h"
#include "stages/dedupe/dedupe_stage.h"
#include "stages/normalize/normalize_stage.h"

namespace ingestd::dedupe::eval {
namespace {

// ---------------------------------------------------------------- languages

enum class Script { kSpaced, kCjk, kThai };

struct Lang {
  std::string code;
  Script script = Script::kSpaced;
  std::vector<std::string> function;   // frequent words
  std::vector<std::string> content;    // topical words
  std::vector<std::string> synthetic;  // built from syllables (names, places, rarer words)
  std::string click_here;
  std::string sentence_end = ".";
};

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c != ' ') out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Next() { return gen_(); }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(gen_() % n); }
  size_t Between(size_t lo, size_t hi) { return lo + Below(hi - lo + 1); }
  double Unit() { return static_cast<double>(gen_() >> 11) / 9007199254740992.0; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  std::mt19937_64 gen_;  // fixed algorithm: the set is the same on every platform
};

std::vector<std::string> Syllabic(Rng& rng, const std::vector<std::string>& consonants,
                                  const std::vector<std::string>& vowels, size_t count, bool vowel_first = false) {
  std::vector<std::string> out;
  while (out.size() < count) {
    std::string w;
    const size_t syllables = rng.Between(2, 3);
    for (size_t i = 0; i < syllables; ++i) {
      const std::string& c = rng.Pick(consonants);
      const std::string& v = rng.Pick(vowels);
      w += vowel_first ? v + c : c + v;
    }
    out.push_back(w);
  }
  return out;
}

const char kHanPool[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行"
    "学"
    "法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前"
    "外天"
    "政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很"
    "情者最"
    "立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角"
    "期根论"
    "运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受"
    "联什认";

std::vector<Lang> MakeLanguages() {
  Rng rng(0x5eed);
  std::vector<Lang> langs;
  const auto latin_c = CodePoints("b d f g k l m n p r s t v z");
  const auto latin_v = CodePoints("a e i o u");
  auto spaced = [&](std::string code, std::string function, std::string content, std::string click,
                    const std::vector<std::string>& c, const std::vector<std::string>& v) {
    Lang l;
    l.code = std::move(code);
    l.function = Words(function);
    l.content = Words(content);
    l.synthetic = Syllabic(rng, c, v, 400);
    l.click_here = std::move(click);
    langs.push_back(std::move(l));
  };
  spaced("en",
         "the of and to in a is that for on with as was by at from it this be are has have said will its an which "
         "not but after who were their more than been also about",
         "government minister security forces attack city province report officials police border election court "
         "military economy market talks agreement ceasefire protest village region spokesman statement operation "
         "investigation parliament president refugees hospital school water energy prices trade ministry commander "
         "district council network group leaders members",
         "Click here to read the rest", latin_c, latin_v);
  spaced("fr",
         "le la les de des du et en un une est que qui dans pour sur par avec au aux a été il elle ont son sa ses "
         "plus selon après mais",
         "gouvernement ministre sécurité forces attaque ville province rapport responsables police frontière élection "
         "tribunal armée économie marché accord cessez-le-feu manifestation village région porte-parole déclaration "
         "opération enquête parlement président réfugiés hôpital école énergie prix commerce conseil réseau groupe "
         "dirigeants membres",
         "Cliquez ici pour lire la suite", latin_c, latin_v);
  spaced("es", "el la los las de del y en un una es que por con para al se su sus más según tras pero fue han",
         "gobierno ministro seguridad fuerzas ataque ciudad provincia informe funcionarios policía frontera elecciones "
         "tribunal ejército economía mercado acuerdo tregua protesta pueblo región portavoz declaración operación "
         "investigación parlamento presidente refugiados hospital escuela energía precios comercio consejo red grupo "
         "líderes miembros",
         "Haga clic aquí para leer el resto", latin_c, latin_v);
  spaced("de",
         "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er "
         "hat dass sie nach",
         "Regierung Minister Sicherheit Kräfte Angriff Stadt Provinz Bericht Beamte Polizei Grenze Wahl Gericht Armee "
         "Wirtschaft Markt Abkommen Waffenruhe Protest Dorf Region Sprecher Erklärung Einsatz Ermittlungen Parlament "
         "Präsident Flüchtlinge Krankenhaus Schule Energie Preise Handel Rat Netzwerk Gruppe Anführer Mitglieder",
         "Hier klicken, um weiterzulesen", latin_c, latin_v);
  spaced("ru", "и в не на что с по как из за от о к для это его но он был были также после",
         "правительство министр безопасность силы нападение город провинция доклад чиновники полиция граница выборы "
         "суд армия экономика рынок соглашение перемирие протест деревня регион представитель заявление операция "
         "расследование парламент президент беженцы больница школа энергия цены торговля совет сеть группа лидеры",
         "Нажмите здесь, чтобы прочитать полностью", CodePoints("б в г д з к л м н п р с т х"),
         CodePoints("а е и о у"));
  spaced("ar", "في من على إلى أن عن مع هذا التي الذي كان قد وقال بعد كما بين ذلك لا",
         "الحكومة وزير الأمن القوات هجوم مدينة محافظة تقرير مسؤولون الشرطة الحدود الانتخابات المحكمة الجيش الاقتصاد "
         "السوق اتفاق هدنة احتجاج قرية منطقة المتحدث بيان عملية تحقيق البرلمان الرئيس اللاجئين مستشفى مدرسة الطاقة "
         "الأسعار التجارة مجلس شبكة جماعة قادة أعضاء",
         "انقر هنا لقراءة المزيد", CodePoints("ب ت د ر ز س ش ف ق ك ل م ن ه"), CodePoints("ا و ي"));
  // clang-format 14 re-wraps these ZWNJ strings differently on every run.
  // clang-format off
  spaced("fa", "و در به از که این با را است برای یک آن شد کرد نیز پس",
         "دولت وزیر امنیت نیروها حمله شهر استان گزارش مقامات پلیس مرز انتخابات دادگاه ارتش اقتصاد بازار توافق "
         "آتش‌بس اعتراض روستا منطقه سخنگو بیانیه عملیات تحقیقات مجلس رئیس‌جمهور پناهندگان بیمارستان "
         "مدرسه "
         "انرژی "
         "قیمت‌ها تجارت شورا شبکه گروه رهبران اعضا",
         "برای خواندن ادامه اینجا کلیک کنید", CodePoints("ب پ ت د ر ز س ش ف ک گ ل م ن"), CodePoints("ا و ی"));
  // clang-format on
  const auto han = CodePoints(kHanPool);
  {
    Lang l;
    l.code = "zh";
    l.script = Script::kCjk;
    l.function = CodePoints("的 了 在 是 和 也 就 都");
    l.content =
        Words("政府 部长 安全 部队 袭击 城市 省份 报告 官员 警察 边境 选举 法院 军队 经济 市场 协议 停火 抗议 村庄");
    l.synthetic = Syllabic(rng, han, {""}, 600);
    for (auto& w : l.synthetic) w = w.substr(0, 6);  // two characters
    l.click_here = "点击此处阅读全文";
    l.sentence_end = "。";
    langs.push_back(std::move(l));
  }
  {
    Lang l;
    l.code = "ja";
    l.script = Script::kCjk;
    l.function = Words("の は が を に で と も から まで した する され ている");
    l.content = Words(
        "政府 大臣 治安 部隊 攻撃 都市 報告 当局 警察 国境 選挙 裁判所 軍 経済 市場 合意 停戦 抗議 テロ グループ "
        "ネットワーク メンバー");
    l.synthetic = Syllabic(rng, han, {""}, 600);
    for (auto& w : l.synthetic) w = w.substr(0, 6);
    l.click_here = "続きを読むにはここをクリック";
    l.sentence_end = "。";
    langs.push_back(std::move(l));
  }
  {
    Lang l;
    l.code = "th";
    l.script = Script::kThai;
    l.function = Words("และ ของ ที่ ใน ได้ เป็น มี การ ว่า ไม่ จะ ให้ กับ แต่");
    l.content = Words(
        "รัฐบาล รัฐมนตรี ความมั่นคง กองกำลัง การโจมตี เมือง จังหวัด รายงาน เจ้าหน้าที่ ตำรวจ ชายแดน การเลือกตั้ง ศาล กองทัพ "
        "เศรษฐกิจ ตลาด ข้อตกลง การประท้วง หมู่บ้าน ภูมิภาค โฆษก แถลงการณ์ ปฏิบัติการ การสอบสวน รัฐสภา ผู้ลี้ภัย โรงพยาบาล "
        "โรงเรียน พลังงาน ราคา การค้า สภา เครือข่าย กลุ่ม ผู้นำ สมาชิก");
    const auto c = CodePoints("ก ข ค ง จ ช ซ ด ต ท น บ ป พ ฟ ม ย ร ล ว ส ห อ");
    std::vector<std::string> syllables;
    for (const auto& v : CodePoints("า ี ู ั ื")) {
      for (const auto& cc : c) syllables.push_back(cc + v);
    }
    l.synthetic = Syllabic(rng, syllables, c, 500);
    l.click_here = "คลิกที่นี่เพื่ออ่านต่อ";
    l.sentence_end = "";
    langs.push_back(std::move(l));
  }
  return langs;
}

const std::vector<Lang>& AllLanguages() {
  static const std::vector<Lang> langs = MakeLanguages();
  return langs;
}

// ---------------------------------------------------------------- texts

using Sentence = std::vector<std::string>;
using Paragraph = std::vector<Sentence>;
using Body = std::vector<Paragraph>;

size_t WordCount(const Body& body) {
  size_t n = 0;
  for (const auto& p : body)
    for (const auto& s : p) n += s.size();
  return n;
}

std::string PickWord(Rng& rng, const Lang& lang) {
  const size_t r = rng.Below(100);
  if (r < 8) return std::to_string(rng.Between(2, 2099));
  if (r < 40) return rng.Pick(lang.function);
  if (r < 60) return rng.Pick(lang.content);
  return rng.Pick(lang.synthetic);
}

Sentence MakeSentence(Rng& rng, const Lang& lang) {
  Sentence s;
  const size_t n = rng.Between(6, 16);
  for (size_t i = 0; i < n; ++i) s.push_back(PickWord(rng, lang));
  return s;
}

Body MakeBody(Rng& rng, const Lang& lang, size_t words) {
  Body body;
  while (WordCount(body) < words) {
    Paragraph p;
    const size_t sentences = rng.Between(2, 5);
    for (size_t i = 0; i < sentences; ++i) p.push_back(MakeSentence(rng, lang));
    body.push_back(std::move(p));
  }
  return body;
}

std::string RenderSentence(const Lang& lang, const Sentence& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && lang.script == Script::kSpaced) out += ' ';
    std::string w = s[i];
    if (i == 0 && lang.script == Script::kSpaced && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] -= 32;
    out += w;
  }
  return out + lang.sentence_end;
}

std::string Render(const Lang& lang, const Body& body) {
  std::string out;
  for (const auto& p : body) {
    if (!out.empty()) out += "\n\n";
    for (size_t i = 0; i < p.size(); ++i) {
      if (i > 0 && lang.script != Script::kCjk) out += ' ';
      out += RenderSentence(lang, p[i]);
    }
  }
  return out;
}

// Whole sentences from word `from` (rounded to a sentence start) until at least `words`.
Body Span(const Body& body, size_t from, size_t words) {
  Body out;
  size_t pos = 0;
  size_t taken = 0;
  for (const auto& p : body) {
    Paragraph q;
    for (const auto& s : p) {
      if (pos >= from && taken < words) {
        q.push_back(s);
        taken += s.size();
      }
      pos += s.size();
    }
    if (!q.empty()) out.push_back(std::move(q));
  }
  return out;
}

Body Concat(Body a, const Body& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Body Edit(Rng& rng, const Lang& lang, Body body, double rate) {
  for (auto& p : body) {
    for (auto& s : p) {
      for (auto& w : s) {
        if (rng.Chance(rate)) w = PickWord(rng, lang);
      }
    }
  }
  return body;
}

// A story's names and numbers, and the topic names its topic shares with others.
struct StoryFacts {
  std::vector<std::string> entities;  // names and numbers of this story
  std::vector<std::string> topic;     // names of its topic (a country, a leader)
};

// A person or place: two made-up words run together; in Chinese and Japanese three
// characters, as most such names are.
std::string MakeName(Rng& rng, const Lang& lang) {
  if (lang.script == Script::kCjk) {
    static const std::vector<std::string> han = CodePoints(kHanPool);
    return rng.Pick(han) + rng.Pick(han) + rng.Pick(han);
  }
  return rng.Pick(lang.synthetic) + rng.Pick(lang.synthetic);
}

StoryFacts MakeStory(Rng& rng, const Lang& lang, const std::vector<std::string>& topic_names) {
  StoryFacts f;
  const size_t names = rng.Between(4, 7);
  for (size_t i = 0; i < names; ++i) f.entities.push_back(MakeName(rng, lang));
  const size_t numbers = rng.Between(2, 4);
  for (size_t i = 0; i < numbers; ++i) f.entities.push_back(std::to_string(rng.Between(100, 99999)));
  const size_t topics = rng.Between(1, 2);
  for (size_t i = 0; i < topics; ++i) f.topic.push_back(rng.Pick(topic_names));
  return f;
}

// A body that mentions `names` once or twice a sentence, as news does.
Body MakeStoryBody(Rng& rng, const Lang& lang, size_t words, const std::vector<std::string>& names) {
  Body body = MakeBody(rng, lang, words);
  for (auto& p : body) {
    for (auto& s : p) {
      const size_t mentions = rng.Chance(0.3) ? 2 : rng.Chance(0.85) ? 1 : 0;
      for (size_t i = 0; i < mentions; ++i) s[rng.Below(s.size())] = rng.Pick(names);
    }
  }
  return body;
}

struct Site {
  std::string name;
  std::string header;
  std::string footer;
};

Site MakeSite(Rng& rng, const Lang& lang, int n) {
  static const std::vector<std::string> kLines = {"Follow us on Telegram for more updates",
                                                  "Share this article with your friends",
                                                  "All rights reserved",
                                                  "Subscribe to our newsletter for daily briefings",
                                                  "Support independent journalism today",
                                                  "Comments are closed for this article"};
  Site site;
  site.name = "site" + std::to_string(n) + "-" + lang.code;
  site.header = site.name + " | " + RenderSentence(lang, MakeSentence(rng, lang));
  site.footer = rng.Pick(kLines) + "\n" + rng.Pick(kLines) + "\nOriginally published by " + site.name;
  return site;
}

std::string Wrap(const Site& site, const std::string& text) {
  return site.header + "\n\n" + text + "\n\n" + site.footer;
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kOriginal: return "original";
    case Kind::kExactCopy: return "exact_copy";
    case Kind::kWrapped: return "template_wrapped";
    case Kind::kTruncated: return "truncated";
    case Kind::kEdited: return "edited";
    case Kind::kExcerpt: return "excerpt";
    case Kind::kCopyOfCopy: return "exact_copy_of_wrapped";
    case Kind::kSameTemplate: return "neg_same_template";
    case Kind::kSharedQuote: return "neg_shared_quote";
    case Kind::kDigest: return "neg_digest";
    case Kind::kPartialOverlap: return "neg_partial_overlap";
    case Kind::kRevision: return "neg_revision";
    case Kind::kStoryLead: return "story_lead";
    case Kind::kStoryRewrite: return "story_rewrite";
    case Kind::kStorySameTopic: return "story_neg_same_topic";
    case Kind::kStorySameTemplate: return "story_neg_same_template";
  }
  return "?";
}

const std::vector<std::string>& Languages() {
  static const std::vector<std::string> codes = [] {
    std::vector<std::string> out;
    for (const auto& l : AllLanguages()) out.push_back(l.code);
    return out;
  }();
  return codes;
}

std::vector<LabelledArticle> MakeLabelledSet(const SetOptions& options) {
  const auto& langs = AllLanguages();
  Rng rng(options.seed);
  std::vector<std::vector<Site>> sites(langs.size());
  std::vector<std::vector<std::string>> topic_names(langs.size());
  for (size_t l = 0; l < langs.size(); ++l) {
    for (int i = 0; i < 6; ++i) sites[l].push_back(MakeSite(rng, langs[l], i));
    for (int i = 0; i < 8; ++i) topic_names[l].push_back(MakeName(rng, langs[l]));
  }
  struct Timed {
    double time;
    size_t order;
    LabelledArticle article;
  };
  std::vector<Timed> events;
  int serial = 0;
  auto add = [&](double time, const Lang& lang, Kind kind, std::string text, bool duplicate, std::string of,
                 std::string url = {}) -> LabelledArticle& {
    LabelledArticle a;
    a.id = lang.code + "-" + std::to_string(serial);
    a.url = url.empty()
                ? "https://news" + std::to_string(serial % 17) + ".example/" + lang.code + "/" + std::to_string(serial)
                : url;
    ++serial;
    a.title = RenderSentence(lang, MakeSentence(rng, lang));
    a.text = std::move(text);
    a.language = lang.code;
    a.kind = kind;
    a.duplicate = duplicate;
    a.story = of.empty() ? a.id : of;
    if (duplicate)
      a.duplicate_of = std::move(of);
    else if (kind == Kind::kRevision)
      a.revision_of = std::move(of);
    events.push_back(Timed{time, events.size(), std::move(a)});
    return events.back().article;
  };
  auto later = [&](double t) { return t + 1.0 + static_cast<double>(rng.Below(3000)) / 10.0; };

  struct Original {
    size_t lang;
    Body body;
    std::string id;
    double time;
  };
  std::vector<Original> originals;
  for (int i = 0; i < options.originals; ++i) {
    const size_t li = static_cast<size_t>(i) % langs.size();
    const Lang& lang = langs[li];
    const double t = i * 10.0;
    Body body = MakeBody(rng, lang, rng.Between(300, 900));
    const std::string text = Render(lang, body);
    const std::string id = add(t, lang, Kind::kOriginal, text, false, "").id;
    originals.push_back(Original{li, body, id, t});
    const size_t words = WordCount(body);

    // Positives.
    if (rng.Chance(0.3)) add(later(t), lang, Kind::kExactCopy, text, true, id);
    if (rng.Chance(0.35)) {
      const double tw = later(t);
      const std::string wrapped = Wrap(rng.Pick(sites[li]), text);
      add(tw, lang, Kind::kWrapped, wrapped, true, id);
      if (rng.Chance(0.4)) add(later(tw), lang, Kind::kCopyOfCopy, wrapped, true, id);
    }
    if (rng.Chance(0.35)) {
      const size_t keep = words * rng.Between(25, 85) / 100;
      add(later(t), lang, Kind::kTruncated, Render(lang, Span(body, 0, keep)) + "\n\n" + lang.click_here, true, id);
    }
    if (rng.Chance(0.3)) {
      add(later(t), lang, Kind::kEdited, Render(lang, Edit(rng, lang, body, 0.01 + rng.Unit() * 0.04)), true, id);
    }
    if (rng.Chance(0.15)) {
      const size_t keep = words * rng.Between(30, 70) / 100;
      add(later(t), lang, Kind::kExcerpt, Render(lang, Span(body, rng.Below(words - keep), keep)), true, id);
    }

    // Hard negatives.
    if (rng.Chance(0.25)) {  // a different article in a site template seen before
      add(later(t), lang, Kind::kSameTemplate,
          Wrap(rng.Pick(sites[li]), Render(lang, MakeBody(rng, lang, rng.Between(300, 900)))), false, "");
    }
    if (rng.Chance(0.25) && body.size() > 1) {  // quotes one paragraph of the original
      const Paragraph& quote = body[rng.Below(body.size())];
      size_t quoted = 0;
      for (const auto& s : quote) quoted += s.size();
      Body fresh = MakeBody(rng, lang, std::max<size_t>(300, quoted * 3));
      fresh.insert(fresh.begin() + static_cast<long>(fresh.size() / 2), quote);
      add(later(t), lang, Kind::kSharedQuote, Render(lang, fresh), false, "");
    }
    if (rng.Chance(0.2)) {  // a digest: the original plus at least as much new text
      const size_t extra = words * rng.Between(100, 300) / 100;
      Body digest =
          rng.Chance(0.5) ? Concat(body, MakeBody(rng, lang, extra)) : Concat(MakeBody(rng, lang, extra), body);
      LabelledArticle& a = add(later(t), lang, Kind::kDigest, Render(lang, digest), false, "");
      a.story = id;
      a.story_scored = false;
    }
    if (rng.Chance(0.25)) {  // shares 40-67% of its text with the original
      const double share = 0.40 + rng.Unit() * 0.27;
      const size_t kept = words * rng.Between(40, 70) / 100;
      const size_t fresh_words = static_cast<size_t>(kept * (1 - share) / share);
      Body part = Span(body, 0, kept);
      Body mixed = rng.Chance(0.5) ? Concat(part, MakeBody(rng, lang, fresh_words))
                                   : Concat(MakeBody(rng, lang, fresh_words), part);
      LabelledArticle& a = add(later(t), lang, Kind::kPartialOverlap, Render(lang, mixed), false, "");
      a.story = id;
      a.story_scored = false;
    }
    if (rng.Chance(0.15)) {  // the same URL again, updated: a revision
      std::string url;
      for (const auto& e : events) {
        if (e.article.id == id) url = e.article.url;
      }
      Body updated = Concat(Edit(rng, lang, body, 0.05), MakeBody(rng, lang, words / 4));
      add(later(t), lang, Kind::kRevision, Render(lang, updated), false, id, url);
    }

    // Same story, little shared text: a lead and one to three rewrites, each naming
    // 60-90% of the story's names and numbers (and maybe one of its own) in other
    // words, some quoting one sentence of the lead, some in a site template.
    if (rng.Chance(0.25)) {
      const StoryFacts story = MakeStory(rng, lang, topic_names[li]);
      std::vector<std::string> lead_names = story.entities;
      lead_names.insert(lead_names.end(), story.topic.begin(), story.topic.end());
      const double ts = later(t);
      const Body lead_body = MakeStoryBody(rng, lang, rng.Between(250, 800), lead_names);
      const std::string lead = add(ts, lang, Kind::kStoryLead, Render(lang, lead_body), false, "").id;
      const size_t rewrites = rng.Between(1, 3);
      const Site* template_used = nullptr;
      for (size_t r = 0; r < rewrites; ++r) {
        std::vector<std::string> names = story.entities;
        std::shuffle(names.begin(), names.end(), std::mt19937_64(rng.Next()));
        names.resize(std::max<size_t>(3, names.size() * rng.Between(60, 90) / 100));
        names.insert(names.end(), story.topic.begin(), story.topic.end());
        if (rng.Chance(0.5)) names.push_back(MakeName(rng, lang));
        Body body = MakeStoryBody(rng, lang, rng.Between(200, 700), names);
        if (rng.Chance(0.3)) body.push_back(Paragraph{lead_body[rng.Below(lead_body.size())].front()});
        std::string text = Render(lang, body);
        if (rng.Chance(0.3)) {
          template_used = &rng.Pick(sites[li]);
          text = Wrap(*template_used, text);
        }
        add(later(ts), lang, Kind::kStoryRewrite, std::move(text), false, "").story = lead;
      }
      if (rng.Chance(0.6)) {  // another story on the same topic, the same day
        StoryFacts other = MakeStory(rng, lang, topic_names[li]);
        other.topic = story.topic;
        other.entities.push_back(rng.Pick(story.entities));  // say, the same date or toll
        std::vector<std::string> names = other.entities;
        names.insert(names.end(), other.topic.begin(), other.topic.end());
        add(later(ts), lang, Kind::kStorySameTopic,
            Render(lang, MakeStoryBody(rng, lang, rng.Between(200, 700), names)), false, "");
      }
      if (template_used) {  // another story in the template of one of the rewrites
        const StoryFacts other = MakeStory(rng, lang, topic_names[li]);
        add(later(ts), lang, Kind::kStorySameTemplate,
            Wrap(*template_used, Render(lang, MakeStoryBody(rng, lang, rng.Between(200, 700), other.entities))), false,
            "");
      }
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Timed& a, const Timed& b) { return a.time < b.time; });
  std::vector<LabelledArticle> out;
  out.reserve(events.size());
  for (auto& e : events) out.push_back(std::move(e.article));
  return out;
}

double Score::Precision() const {
  const int64_t flagged = true_positives + false_positives;
  return flagged == 0 ? 1.0 : static_cast<double>(true_positives) / static_cast<double>(flagged);
}

double Score::StoryPrecision() const {
  return story_predicted_pairs == 0
             ? 1.0
             : static_cast<double>(story_true_pairs) / static_cast<double>(story_predicted_pairs);
}

double Score::StoryRecall() const {
  return story_labelled_pairs == 0 ? 1.0
                                   : static_cast<double>(story_true_pairs) / static_cast<double>(story_labelled_pairs);
}

double Score::RewritePrecision() const {
  return rewrite_predicted_pairs == 0
             ? 1.0
             : static_cast<double>(rewrite_true_pairs) / static_cast<double>(rewrite_predicted_pairs);
}

double Score::RewriteRecall() const {
  return rewrite_labelled_pairs == 0
             ? 1.0
             : static_cast<double>(rewrite_true_pairs) / static_cast<double>(rewrite_labelled_pairs);
}

double Score::Recall() const {
  const int64_t positives = true_positives + false_negatives;
  return positives == 0 ? 1.0 : static_cast<double>(true_positives) / static_cast<double>(positives);
}

std::string Score::Report() const {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "precision %.4f  recall %.4f  (tp %lld, fp %lld, fn %lld, tn %lld)\n", Precision(),
                Recall(), static_cast<long long>(true_positives), static_cast<long long>(false_positives),
                static_cast<long long>(false_negatives), static_cast<long long>(true_negatives));
  out << line;
  std::snprintf(line, sizeof line, "duplicate_of not the labelled group: %lld; revisions linked: %lld of %lld\n\n",
                static_cast<long long>(wrong_target), static_cast<long long>(revisions_linked),
                static_cast<long long>(revisions));
  out << line;
  out << "| kind | articles | flagged exact/near |\n|---|---:|---:|\n";
  for (const auto& [kind, c] : by_kind) out << "| " << kind << " | " << c.articles << " | " << c.flagged << " |\n";
  std::snprintf(line, sizeof line,
                "\nstory links, over pairs of articles: precision %.4f  recall %.4f  (true pairs %lld, pairs given one "
                "story id %lld, pairs telling one story %lld)\n\n",
                StoryPrecision(), StoryRecall(), static_cast<long long>(story_true_pairs),
                static_cast<long long>(story_predicted_pairs), static_cast<long long>(story_labelled_pairs));
  out << line;
  std::snprintf(line, sizeof line,
                "story links among the story articles alone (leads, rewrites, their negatives): precision %.4f  "
                "recall %.4f  (true pairs %lld, pairs given one story id %lld, pairs telling one story %lld)\n\n",
                RewritePrecision(), RewriteRecall(), static_cast<long long>(rewrite_true_pairs),
                static_cast<long long>(rewrite_predicted_pairs), static_cast<long long>(rewrite_labelled_pairs));
  out << line;
  out << "| kind | articles | story id right (digest, partial overlap: their original's) |\n|---|---:|---:|\n";
  for (const auto& [kind, c] : story_by_kind)
    out << "| " << kind << " | " << c.articles << " | " << c.flagged << " |\n";
  out << "\n| language | positives | caught | negatives | flagged |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [lang, c] : positives_by_language) {
    const Counts& n = negatives_by_language.count(lang) ? negatives_by_language.at(lang) : Counts{};
    out << "| " << lang << " | " << c.articles << " | " << c.flagged << " | " << n.articles << " | " << n.flagged
        << " |\n";
  }
  if (!mistakes.empty()) {
    out << "\nmistakes (first " << mistakes.size() << "):\n";
    for (const auto& m : mistakes) out << "  " << m << "\n";
  }
  return out.str();
}

Score ScoreSet(const std::vector<LabelledArticle>& set, const DedupeConfig& config) {
  prometheus::Registry registry;
  ManualClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50)));
  StageContext context{&registry, &clock};
  auto normalize = MakeNormalizeStage(NormalizeConfig{}, context);
  auto dedupe = MakeDedupeStage(config, context);
  Score score;
  std::map<std::string, std::string> story_of_label;  // labelled story -> story id its first article got
  std::map<std::string, std::string> label_of_story;  // story id -> labelled story of its first article
  std::map<std::pair<std::string, std::string>, int64_t> cells;
  std::map<std::string, int64_t> by_label, by_story;
  std::map<std::pair<std::string, std::string>, int64_t> story_cells;
  std::map<std::string, int64_t> story_by_label, story_by_story;
  for (const auto& item : set) {
    Article a;
    a.id = item.id;
    a.url = item.url;
    a.title = item.title;
    a.text = item.text;
    if (normalize->Process(a).verdict != Verdict::kContinue) continue;
    const auto start = std::chrono::steady_clock::now();
    (void)dedupe->Process(a);
    score.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    clock.Advance(std::chrono::minutes(1));
    const bool flagged = a.dedupe && a.dedupe->status != DedupeStatus::kUnique;
    Counts& kind = score.by_kind[KindName(item.kind)];
    ++kind.articles;
    if (flagged) ++kind.flagged;
    Counts& lang =
        item.duplicate ? score.positives_by_language[item.language] : score.negatives_by_language[item.language];
    ++lang.articles;
    if (flagged) ++lang.flagged;
    if (item.duplicate != flagged && score.mistakes.size() < 30) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "%s %s: %s similarity %.3f of %s", KindName(item.kind), item.id.c_str(),
                    a.dedupe ? DedupeStatusName(a.dedupe->status) : "-", a.dedupe ? a.dedupe->similarity : 0.0,
                    a.dedupe ? a.dedupe->duplicate_of.c_str() : "-");
      score.mistakes.push_back(buf);
    }
    if (item.duplicate && flagged) {
      ++score.true_positives;
      if (a.dedupe->duplicate_of != item.duplicate_of) ++score.wrong_target;
    } else if (item.duplicate) {
      ++score.false_negatives;
    } else if (flagged) {
      ++score.false_positives;
    } else {
      ++score.true_negatives;
    }
    if (a.dedupe) {
      const std::string& story = a.dedupe->story_id;
      const auto it = story_of_label.find(item.story);
      bool right = it != story_of_label.end() && it->second == story;
      if (item.story_scored) {
        if (item.story == item.id) story_of_label.emplace(item.id, story);
        label_of_story.emplace(story, item.story);
        right = story_of_label[item.story] == story && label_of_story[story] == item.story;
      }
      Counts& c = score.story_by_kind[KindName(item.kind)];
      ++c.articles;
      if (right) ++c.flagged;
      if (item.story_scored) {
        ++cells[{item.story, story}];
        ++by_label[item.story];
        ++by_story[story];
      }
      if (item.kind == Kind::kStoryLead || item.kind == Kind::kStoryRewrite || item.kind == Kind::kStorySameTopic ||
          item.kind == Kind::kStorySameTemplate) {
        ++story_cells[{item.story, story}];
        ++story_by_label[item.story];
        ++story_by_story[story];
      }
    }
    if (item.kind == Kind::kRevision) {
      ++score.revisions;
      if (a.dedupe && a.dedupe->revision_of == item.revision_of) ++score.revisions_linked;
    }
  }
  auto pairs = [](int64_t n) { return n * (n - 1) / 2; };
  for (const auto& [k, n] : cells) score.story_true_pairs += pairs(n);
  for (const auto& [k, n] : by_label) score.story_labelled_pairs += pairs(n);
  for (const auto& [k, n] : by_story) score.story_predicted_pairs += pairs(n);
  for (const auto& [k, n] : story_cells) score.rewrite_true_pairs += pairs(n);
  for (const auto& [k, n] : story_by_label) score.rewrite_labelled_pairs += pairs(n);
  for (const auto& [k, n] : story_by_story) score.rewrite_predicted_pairs += pairs(n);
  return score;
}

}  // namespace ingestd::dedupe::eval
