// The pairs no letter separates: Indonesian / Malay and Iranian Persian / Dari.
// Sentences written for these tests.
#include "stages/language/markers.h"

#include <gtest/gtest.h>

#include "stages/language/detector.h"

namespace ingestd::language {
namespace {

LanguageResult Detect(std::string_view text) {
  const LanguageDetector detector({});
  return detector.Detect({.title = {}, .text = text, .language_hint = {}, .url = {}});
}

TEST(MarkersTest, DariCopulaAndAfghanTermsMakeDari) {
  // clang-format off
  const auto result = Detect("مردم این ولسوالی می‌گویند که مکتب‌ها هنوز بسته استند و شاروالی کاری نکرده است");
  // clang-format on
  EXPECT_EQ(result.code, "prs");
}

TEST(MarkersTest, AfghanSpellingOfTheIndefiniteMakesDari) {
  // "جامعه‌یی" (Afghan) where Iranian Persian writes "جامعه‌ای".
  EXPECT_GE(FindMarkers(LetterlessPair::kPersianDari,
                        "این جامعه‌یی است که همه در آن زنده‌گی می‌کنند")
                .score,
            kDecisiveMarkerScore);
  EXPECT_LE(FindMarkers(LetterlessPair::kPersianDari,
                        "این جامعه‌ای است که همه در آن زندگی می‌کنند")
                .score,
            -1.0);
}

TEST(MarkersTest, IranianTermsKeepPersian) {
  // clang-format off
  const auto result = Detect("مردم این شهرستان می‌گویند که مدرسه‌ها هنوز بسته هستند و شهرداری کاری نکرده است");
  // clang-format on
  EXPECT_EQ(result.code, "fa");
}

TEST(MarkersTest, PersianWithoutMarkersIsAnUnreliableGuess) {
  // Nothing here is Iranian or Afghan only: Persian is the likelier answer, not a sure one.
  // clang-format off
  const auto result = Detect("دولت گفت که جاده‌های اصلی شهر پس از بارندگی شدید دیروز دوباره باز شده‌اند و مردم "
                             "می‌توانند از آنها استفاده کنند");
  // clang-format on
  EXPECT_EQ(result.code, "fa");
  EXPECT_FALSE(result.reliable);
}

TEST(MarkersTest, MalayAndIndonesianSpellingsDecide) {
  EXPECT_EQ(Detect("Polis berkata kanak-kanak itu selamat kerana pejabat daerah bertindak cepat").code, "ms");
  EXPECT_EQ(Detect("Polisi mengatakan anak-anak itu selamat karena kantor daerah bertindak cepat").code, "id");
  EXPECT_GE(FindMarkers(LetterlessPair::kIndonesianMalay, "mana-mana pihak yang mahu").score, kDecisiveMarkerScore);
  EXPECT_LE(FindMarkers(LetterlessPair::kIndonesianMalay, "siapa pun yang mau").score, -kDecisiveMarkerScore);
}

}  // namespace
}  // namespace ingestd::language
