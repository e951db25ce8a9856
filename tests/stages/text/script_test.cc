#include "stages/text/script.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(Script, ChineseAndJapaneseAreHanOrKana) {
  for (int32_t cp : {0x4E2D, 0x6587, 0x3072, 0x30AB, 0x31F0, 0x3400, 0xF900, 0x20000, 0x30000}) {
    EXPECT_TRUE(IsHanOrKana(cp)) << std::hex << cp;
    EXPECT_TRUE(IsUnspacedScript(cp)) << std::hex << cp;
  }
}

TEST(Script, ThaiLaoTibetanMyanmarKhmerAreUnspacedBrahmic) {
  // ก ລ ཀ က ក
  for (int32_t cp : {0x0E01, 0x0EA5, 0x0F40, 0x1000, 0x1780}) {
    EXPECT_TRUE(IsUnspacedBrahmic(cp)) << std::hex << cp;
    EXPECT_TRUE(IsUnspacedScript(cp)) << std::hex << cp;
  }
}

TEST(Script, HangulNeedsNoBoundaryButIsCutAtSpaces) {
  // 서 (syllable), ᄀ (jamo), ㄱ (compatibility jamo)
  for (int32_t cp : {0xC11C, 0x1100, 0x3131}) {
    EXPECT_TRUE(IsHangul(cp)) << std::hex << cp;
    EXPECT_TRUE(IsUnspacedScript(cp)) << std::hex << cp;
    EXPECT_FALSE(IsHanOrKana(cp)) << std::hex << cp;
    EXPECT_FALSE(IsUnspacedBrahmic(cp)) << std::hex << cp;
  }
}

TEST(Script, SpacedScriptsAndCjkPunctuationAreNotUnspaced) {
  // a, й, ب, क (Devanagari is spaced), ideographic space, 。, fullwidth A
  for (int32_t cp : {0x61, 0x0439, 0x0628, 0x0915, 0x3000, 0x3002, 0xFF21}) {
    EXPECT_FALSE(IsUnspacedScript(cp)) << std::hex << cp;
  }
}

TEST(Script, ClassesNeverOverlapAndLettersInThemAreWordChars) {
  for (int32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const int classes = int{IsHanOrKana(cp)} + int{IsUnspacedBrahmic(cp)} + int{IsHangul(cp)};
    ASSERT_LE(classes, 1) << std::hex << cp;
    ASSERT_EQ(classes == 1, IsUnspacedScript(cp)) << std::hex << cp;
    const auto category = utf8proc_category(cp);
    if (classes == 1 && category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) {
      ASSERT_TRUE(IsWordChar(cp)) << std::hex << cp;
    }
  }
}

TEST(Script, WordCharTableAgreesWithUtf8procEverywhere) {
  for (int32_t cp = 0; cp <= 0x10FFFF; ++cp) ASSERT_EQ(IsWordChar(cp), IsWordCharSlow(cp)) << std::hex << cp;
  EXPECT_TRUE(IsWordChar('7'));
  EXPECT_TRUE(IsWordChar(0x0628));   // ب
  EXPECT_TRUE(IsWordChar(0x064E));   // fatha (a combining mark)
  EXPECT_FALSE(IsWordChar(0x060C));  // Arabic comma
  EXPECT_FALSE(IsWordChar('-'));
}

}  // namespace
}  // namespace ingestd
