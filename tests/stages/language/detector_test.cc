#include "stages/language/detector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ingestd::language {
namespace {

using ::testing::Contains;
using ::testing::Field;

// Fixture sentences are written for these tests (no scraped text).
constexpr std::string_view kEnglishBody =
    "The city council met on Tuesday evening to discuss the new water supply plan for the northern districts. "
    "Residents asked how long the works would take and who would pay for the new pipes. The mayor said the first "
    "phase would start in the spring and that the cost would be shared between the city and the province. Several "
    "members of the council asked for a public report on the progress of the works every three months.";

LanguageResult Detect(std::string_view text, std::string_view title = {}, std::string_view url = {},
                      std::string_view hint = {}) {
  const LanguageDetector detector({});  // the default sample cap
  return detector.Detect({.title = title, .text = text, .language_hint = hint, .url = url});
}

TEST(LanguageDetectorTest, UsesTheFullTablesForPashto) {
  // The small CLD2 tables have no Pashto: this fails if libcld2_full is not linked.
  EXPECT_EQ(LanguageDetector::Cld2Only("د ولایت والي وویل چې د ښوونځیو د بیا جوړولو کار به ډېر ژر پیل شي او خلک به "
                                       "ډېر خوشحاله وي",
                                       true),
            "ps");
}

TEST(LanguageDetectorTest, AnswersModernBcp47Codes) {
  EXPECT_EQ(Detect("הממשלה החליטה הבוקר להקים ועדה חדשה שתבדוק את מצב הכבישים בצפון הארץ לפני החורף").code, "he");
  EXPECT_EQ(
      Detect("市政府今天宣布，將在明年春天開放一座新的公共圖書館，並且延長開放時間，讓更多學生和家庭可以使用。").code,
      "zh-Hant");
  EXPECT_EQ(
      Detect("市政府今天宣布，将在明年春天开放一座新的公共图书馆，并且延长开放时间，让更多学生和家庭可以使用。").code,
      "zh");
}

TEST(LanguageDetectorTest, ReportsUrduInvocationInsideEnglishText) {
  const std::string text = std::string(kEnglishBody) +
                           " اللہ تعالیٰ ہم سب کو اپنی حفاظت میں رکھے اور ہمارے ملک میں امن اور خوشحالی عطا فرمائے، "
                           "ہم سب مل کر دعا کرتے ہیں کہ ہمارے بچوں کا مستقبل روشن ہو۔ " +
                           std::string(kEnglishBody);
  const auto result = Detect(text);
  EXPECT_EQ(result.code, "en");
  EXPECT_THAT(result.others, Contains(Field(&LanguageShare::code, "ur")));
}

TEST(LanguageDetectorTest, ReportsChineseHeadlineOverEnglishBody) {
  const auto result = Detect(kEnglishBody, "市议会讨论北部地区新的供水计划");
  EXPECT_EQ(result.code, "en");
  EXPECT_THAT(result.others, Contains(Field(&LanguageShare::code, "zh")));
}

TEST(LanguageDetectorTest, AShortBodyKeepsItsLanguageUnderALongerHeadlineInAnotherScript) {
  // 60 Chinese characters (180 bytes) over 120 characters of English: the body is
  // the article, and the headline's language is one of the others.
  const std::string title =
      "市议会今天晚上讨论北部地区新的供水计划，居民询问工程需要多长时间以及谁来支付新管道的费用，市长表示第一阶段将在春"
      "天开始";
  ASSERT_GE(title.size(), 150u);
  const std::string body =
      "The city council met on Tuesday evening to discuss the new water supply plan for the northern districts today.";
  const auto result = Detect(body, title);
  EXPECT_EQ(result.code, "en");
  EXPECT_THAT(result.others, Contains(Field(&LanguageShare::code, "zh")));
  // The same title over a body too short to decide alone: the text is read as a whole.
  EXPECT_EQ(Detect("Water plan", title).code, "zh");
}

TEST(LanguageDetectorTest, SaysShortTextIsAGuess) {
  const auto result = Detect("Water plan approved today");
  EXPECT_EQ(result.code, "en");
  EXPECT_FALSE(result.reliable);
  EXPECT_LT(result.confidence, 0.7);
}

TEST(LanguageDetectorTest, LongEnglishTextIsReliable) {
  const auto result = Detect(kEnglishBody);
  EXPECT_EQ(result.code, "en");
  EXPECT_TRUE(result.reliable);
  EXPECT_GT(result.confidence, 0.9);
  EXPECT_TRUE(result.others.empty());
}

TEST(LanguageDetectorTest, TextWithoutLettersIsUndetermined) {
  const auto result = Detect("12:45 — 2026/11/21 ... 100%");
  EXPECT_EQ(result.code, "und");
  EXPECT_FALSE(result.reliable);
}

TEST(LanguageDetectorTest, AfghanDomainMakesPersianDari) {
  // clang-format 14 re-wraps these ZWNJ strings differently on every run.
  // clang-format off
  constexpr std::string_view kPersian =
      "وزارت داخله اعلام کرد که جاده‌های اصلی شهر پس از بارندگی شدید امروز "
      "صبح "
      "دوباره "
      "بازگشایی "
      "شده‌اند";
  // clang-format on
  EXPECT_EQ(Detect(kPersian, {}, "https://news.example.af/a/1").code, "prs");
  EXPECT_EQ(Detect(kPersian, {}, "https://news.example.ir/a/1").code, "fa");
  EXPECT_EQ(Detect(kPersian, {}, {}, "fa-AF").code, "prs");
}

TEST(LanguageDetectorTest, SamplesLongTextWithinTheCap) {
  std::string text;
  while (text.size() < 1'000'000) text += std::string(kEnglishBody) + " ";
  const std::string sample = SampleText(text, 8192);
  EXPECT_LE(sample.size(), 8192u + 8u);
  EXPECT_GE(sample.size(), 8000u);
  EXPECT_EQ(Detect(text).code, "en");
  EXPECT_EQ(SampleText("short", 8192), "short");
}

TEST(LanguageDetectorTest, SampledLongTextStillReportsAParagraphInAnotherScript) {
  // 40 KB of English with one Urdu paragraph (about 4% of the letters) at 20%: no
  // evenly spaced window lands there, the script census gives it a window of its own.
  const std::string urdu =
      "اللہ تعالیٰ ہم سب کو اپنی حفاظت میں رکھے اور ہمارے ملک میں امن اور خوشحالی عطا فرمائے، "
      "ہم سب مل کر دعا کرتے ہیں کہ ہمارے بچوں کا مستقبل روشن ہو۔ ";
  std::string text;
  while (text.size() < 8'000) text += std::string(kEnglishBody) + " ";
  for (int i = 0; i < 8; ++i) text += urdu;
  while (text.size() < 40'000) text += std::string(kEnglishBody) + " ";
  const auto result = Detect(text);
  EXPECT_EQ(result.code, "en");
  EXPECT_THAT(result.others, Contains(Field(&LanguageShare::code, "ur")));
  EXPECT_LE(SampleText(text, 1024).size(), 1024u + 2 * 256u + 8u);
}

TEST(LanguageDetectorTest, SampleNeverSplitsACharacter) {
  std::string text;
  while (text.size() < 100'000) text += "ж";
  const std::string sample = SampleText(text, 1001);
  for (size_t i = 0; i < sample.size();) {
    ASSERT_EQ(static_cast<unsigned char>(sample[i]) & 0xC0, sample[i] == '\n' ? 0x00 : 0xC0) << i;
    i += sample[i] == '\n' ? 1 : 2;
  }
}

TEST(LanguageDetectorTest, TakesTheTopLevelDomainFromTheUrlHost) {
  EXPECT_EQ(TopLevelDomain("https://www.bbc.co.uk/news/1"), "uk");
  EXPECT_EQ(TopLevelDomain("http://user@site.AF:8080/x?y=1"), "af");
  EXPECT_EQ(TopLevelDomain("https://10.0.0.1/x"), "");
  EXPECT_EQ(TopLevelDomain(""), "");
}

}  // namespace
}  // namespace ingestd::language
