#include "stages/text/fold.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ingestd {
namespace {

TEST(Fold, CaseFoldsAndRemovesDiacritics) {
  EXPECT_EQ(Fold("Wilāyat Khurāsān ÉTAT Al-Qaïda").text, "wilayat khurasan etat al-qaida");
  EXPECT_EQ(Fold("ＩＳＩＳ").text, "isis");  // NFKC: fullwidth letters
  EXPECT_EQ(Fold("Таджикистаном").text, "таджикистаном");
}

TEST(Fold, UnifiesArabicScriptVariants) {
  // Farsi yeh and alef maksura -> yeh; keheh -> kaf; teh marbuta -> heh; hamza forms.
  EXPECT_EQ(Fold("ی").text, Fold("ي").text);
  EXPECT_EQ(Fold("ى").text, Fold("ي").text);
  EXPECT_EQ(Fold("ک").text, Fold("ك").text);
  EXPECT_EQ(Fold("القاعدة").text, Fold("القاعده").text);
  EXPECT_EQ(Fold("أسامة").text, Fold("اسامه").text);
  EXPECT_EQ(Fold("إدلب").text, Fold("ادلب").text);
  EXPECT_EQ(Fold("ننګرهار").text, Fold("ننگرهار").text);
  // Tatweel and harakat are removed.
  EXPECT_EQ(Fold("داعـــش").text, Fold("داعش").text);
  EXPECT_EQ(Fold("القَاعِدَة").text, Fold("القاعده").text);
}

TEST(Fold, UnifiesApostrophesHyphensAndSpaces) {
  EXPECT_EQ(Fold("al-Qa`ida al‑Qa’ida").text, "al-qa'ida al-qa'ida");
  EXPECT_EQ(Fold("a\u00a0b\u2009c\td").text, "a b c d");
  EXPECT_EQ(Fold("x\u2013y\u2014z").text, "x-y-z");
  EXPECT_EQ(Fold("soft\u00adhyphen").text, "softhyphen");
}

TEST(Fold, MapsEveryFoldedByteBackToItsOriginalCharacter) {
  const std::string text = "Éa داعـش ﷺ 𝐀b";
  const FoldedText f = Fold(text);
  ASSERT_EQ(f.origin.size(), f.text.size() + 1);
  EXPECT_EQ(f.origin.back(), text.size());
  for (size_t i = 1; i < f.origin.size(); ++i) EXPECT_LE(f.origin[i - 1], f.origin[i]);
  EXPECT_EQ(f.text.substr(0, 2), "ea");
  EXPECT_EQ(f.ToOriginalStart(0), 0u);
  EXPECT_EQ(f.ToOriginalStart(1), 2u);              // 'a' follows the two bytes of É
  EXPECT_NE(f.text.find("ab"), std::string::npos);  // mathematical bold A folds to a
}

// Every ASCII byte folds to one byte whose origin is its own offset: A-Z lowered,
// '`' to an apostrophe, \t \n \v \f \r to a space, the rest unchanged; at every
// offset of runs longer and shorter than sixteen bytes, between non-ASCII letters
// and at the end of the input.
TEST(Fold, FoldsEveryAsciiByteInPlaceAtEveryOffset) {
  auto expected_byte = [](int c) -> char {
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
    if (c == '`') return '\'';
    if (c >= '\t' && c <= '\r') return ' ';
    return static_cast<char>(c);
  };
  for (int c = 0; c < 0x80; ++c) {
    for (const size_t run : {1u, 15u, 16u, 17u, 32u, 40u}) {  // 32: a block ends the input
      for (size_t at = 0; at < run; ++at) {
        std::string ascii(run, 'x');
        ascii[at] = static_cast<char>(c);
        const std::string text = "é" + ascii + "д" + ascii;  // é, д
        const FoldedText f = Fold(text);
        std::string want_ascii(run, 'x');
        want_ascii[at] = expected_byte(c);
        ASSERT_EQ(f.text, "e" + want_ascii + "д" + want_ascii) << c << " " << run << " " << at;
        for (size_t i = 0; i < run; ++i) {
          ASSERT_EQ(f.origin[1 + i], 2 + i);
          ASSERT_EQ(f.origin[1 + run + 2 + i], 2 + run + 2 + i);
        }
        ASSERT_EQ(f.origin.back(), text.size());
      }
    }
  }
}

TEST(Fold, KeepsEveryOriginWhenFoldingGrowsTheTextManyTimes) {
  // U+FDFA folds to a whole phrase (3 bytes in, over 30 out): the buffers sized for
  // the input are enlarged several times, and origins written before must survive.
  const std::string ligature = "\uFDFA";
  const std::string one = Fold(ligature).text;
  ASSERT_GT(one.size(), 20u);
  std::string text;
  std::string expected_text;
  std::vector<uint32_t> expected_origin;
  for (int i = 0; i < 200; ++i) {
    expected_text += 'a';
    expected_origin.push_back(static_cast<uint32_t>(text.size()));
    text += 'A';
    expected_text += one;
    expected_origin.insert(expected_origin.end(), one.size(), static_cast<uint32_t>(text.size()));
    text += ligature;
  }
  expected_origin.push_back(static_cast<uint32_t>(text.size()));
  const FoldedText f = Fold(text);
  EXPECT_EQ(f.text, expected_text);
  EXPECT_EQ(std::vector<uint32_t>(f.origin.begin(), f.origin.end()), expected_origin);
}

TEST(Fold, DropsInvalidBytes) {
  const FoldedText f =
      Fold(std::string("a\xff"
                       "b\xc3"));
  EXPECT_EQ(f.text, "ab");
  EXPECT_EQ(f.origin[1], 2u);
}

}  // namespace
}  // namespace ingestd
