#include "stages/normalize/text_hygiene.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(CleanText, ComposesToNfc) {
  EXPECT_EQ(CleanText("Cafe\u0301"), "Caf\u00E9");
  EXPECT_EQ(CleanText("\u212B"), "\u00C5");  // Angstrom sign, a singleton
  EXPECT_FALSE(IsNfcStable("e\u0301"));
  EXPECT_TRUE(IsNfcStable("caf\u00E9 \u2019quoted\u2019 \u0623\u062D\u0645\u062F"));
}

TEST(CleanText, DropsControlAndZeroWidthCharacters) {
  EXPECT_EQ(CleanText("a\u200Bb\u00ADc\uFEFFd\u0007e\u202Ef"), "abcdef");
}

TEST(CleanText, KeepsZwnjInsidePersianWordsOnly) {
  // "mi-khaham" (I want) needs ZWNJ between mi and the verb.
  EXPECT_EQ(CleanText("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"),
            "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645");
  EXPECT_EQ(CleanText("ab\u200Ccd"), "abcd");
  EXPECT_EQ(CleanText("\u0645\u06CC\u200C "), "\u0645\u06CC");
}

TEST(CleanText, KeepsZwjInEmojiSequences) {
  EXPECT_EQ(CleanText("\U0001F469\u200D\U0001F692"), "\U0001F469\u200D\U0001F692");
  EXPECT_EQ(CleanText("a\u200Db"), "ab");
}

TEST(CleanText, NormalizesSpacesAndKeepsParagraphBreaks) {
  EXPECT_EQ(CleanText("  One\u00A0 two\t three  \r\nfour\r\n\r\n\r\n\n five \u2029six"),
            "One two three\nfour\n\nfive\nsix");
}

TEST(CleanText, KeepsTypographicQuotesAndDashes) {
  EXPECT_EQ(CleanText("\u201CWe\u2019re here\u201D \u2014 she said"), "\u201CWe\u2019re here\u201D \u2014 she said");
}

}  // namespace
}  // namespace ingestd
