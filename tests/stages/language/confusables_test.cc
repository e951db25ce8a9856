// One test per confusable group: short texts (titles, posts) that the stage must
// place in the right language of its group. Sentences written for these tests.
#include "stages/language/confusables.h"

#include <gtest/gtest.h>

#include "stages/language/detector.h"

namespace ingestd::language {
namespace {

std::string Detect(std::string_view text) {
  const LanguageDetector detector({});
  return detector.Detect({.title = {}, .text = text, .language_hint = {}, .url = {}}).code;
}

TEST(ConfusablesTest, SeparatesPersianPashtoAndUrdu) {
  EXPECT_EQ(Detect("والي وویل چې ښوونځي به ژر پرانیستل شي"), "ps");      // ښ
  EXPECT_EQ(Detect("حکومت نے کہا کہ سڑکیں کل کھول دی جائیں گی"), "ur");  // ے ں ھ
  EXPECT_EQ(Detect("دولت گفت که جاده‌ها فردا باز خواهند شد"),
            "fa");                                                           // گ, none of the above
  EXPECT_EQ(Detect("قالت الحكومة إن الطرق ستفتح غدا أمام السيارات"), "ar");  // ة-free, no Persian letters
}

TEST(ConfusablesTest, SeparatesCyrillicLanguages) {
  EXPECT_EQ(Detect("Үкімет жаңа жол салуды қолдайтынын айтты"), "kk");      // ә ғ қ ң ө ұ ү і
  EXPECT_EQ(Detect("Өкмөт жаңы жол курууну колдой турганын айтты"), "ky");  // ң ө ү, no Kazakh-only letters
  EXPECT_EQ(Detect("Ҳукумат гуфт, ки роҳи навро месозад"), "tg");           // ҳ ӣ ҷ
  EXPECT_EQ(Detect("Уряд заявив, що підтримує нову дорогу"), "uk");         // і ї є ґ
  EXPECT_EQ(Detect("Правительство заявило, что поддержит новую дорогу"), "ru");
}

TEST(ConfusablesTest, SeparatesIndonesianAndMalay) {
  EXPECT_EQ(Detect("Pemerintah mengatakan bahwa jalan baru akan dibuka minggu depan karena banjir sudah surut."), "id");
  EXPECT_EQ(Detect("Kerajaan berkata bahawa jalan baharu akan dibuka minggu hadapan kerana banjir telah surut."), "ms");
}

TEST(ConfusablesTest, SeparatesSpanishAndPortuguese) {
  EXPECT_EQ(Detect("O governo não disse quando as estradas serão abertas"), "pt");  // ã ç
  EXPECT_EQ(Detect("El gobierno no dijo cuándo abrirá las carreteras"), "es");
  EXPECT_EQ(Detect("Los niños vuelven hoy a la escuela"), "es");  // ñ
}

TEST(ConfusablesTest, FindsKurdishInLatinScript) {
  EXPECT_EQ(Detect("Hikûmetê got ku rê dê sibê ji nû ve bên vekirin"), "ku");
  EXPECT_EQ(Detect("Hükümet yolların yarın yeniden açılacağını söyledi"), "tr");
}

TEST(ConfusablesTest, DecidesShortLatinTextAmongLatinLanguages) {
  // CLD2 alone answers English and Galician here.
  EXPECT_EQ(LanguageDetector::Cld2Only("la construction de la station", true), "en");
  EXPECT_EQ(Detect("la construction de la station"), "fr");
  EXPECT_EQ(LanguageDetector::Cld2Only("la situación de la educación", true), "gl");
  EXPECT_EQ(Detect("la situación de la educación"), "es");
  // And leaves it alone where it is right.
  EXPECT_EQ(Detect("Water plan approved today"), "en");
  EXPECT_EQ(Detect("De burgemeester sloot de weg"), "nl");
  EXPECT_EQ(Detect("Le maire a fermé la route"), "fr");
}

TEST(ConfusablesTest, LeavesShortLatinTextCldGaveToACyrillicGroupLanguage) {
  // Tatar written in Latin letters: the Latin tables have no Tatar, so they must not
  // overrule CLD2 with a neighbour (Turkish, Azerbaijani).
  EXPECT_FALSE(ResolveConfusable("tt", "Bu faylnı açıp bulmıy, çönki ul bozılğan", 2048, /*short_text=*/true));
  // Kurmanji that CLD2 called Tatar is still pulled into its own group.
  const auto kurmanji = ResolveConfusable("tt", "Hikûmetê got ku rê dê sibê ji nû ve bên vekirin", 2048, true);
  ASSERT_TRUE(kurmanji.has_value());
  EXPECT_EQ(kurmanji->code, "ku");
}

TEST(ConfusablesTest, LettersAloneDecideWhenOnlyOneLanguageFits) {
  const auto decision = ResolveConfusable("fa", "ښه ورځ");
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->code, "ps");
  EXPECT_TRUE(decision->by_letters);
}

TEST(ConfusablesTest, LeavesLanguagesOutsideTheGroupsAlone) {
  EXPECT_FALSE(ResolveConfusable("en", "Water plan approved").has_value());
  EXPECT_FALSE(ResolveConfusable("fr", "Le plan de l'eau est prêt, dit le maire").has_value());
  EXPECT_TRUE(GroupOf("de").empty());
  EXPECT_EQ(GroupOf("kk").size(), 9u);
}

}  // namespace
}  // namespace ingestd::language
