#include "stages/normalize/text_hygiene.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <array>
#include <cstdlib>
#include <string>

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

// Every code point, between runs of ASCII letters long enough for the eight-byte
// fast path, against the rules written out here, independently of the cleaning
// pass's shortcuts (its ranges of plain characters, its table of two-byte ones and
// its NFC-stable check): line breaks become a break, spaces a space, controls and
// invisible marks go (a joiner too, between letters that do not join), and anything
// else is kept, as NFC leaves it.
TEST(CleanText, AppliesItsRulesInsideRunsOfTwoByteLetters) {
  // Whatever follows a run of Cyrillic or Arabic letters gets the same treatment as
  // after ASCII: composition, dropped characters, joiners, breaks and bad bytes.
  EXPECT_EQ(CleanText("\u0432\u0441\u0435\u0308\u043c"), "\u0432\u0441\u0451\u043c");  // е + diaeresis -> ё
  EXPECT_EQ(CleanText("\u043f\u0440\u0438\u00ad\u0432\u0435\u0442"), "\u043f\u0440\u0438\u0432\u0435\u0442");
  EXPECT_EQ(CleanText("\u0645\u06cc\u200c\u0634\u0648\u062f"), "\u0645\u06cc\u200c\u0634\u0648\u062f");
  EXPECT_EQ(CleanText("\u0645\u06cc\u200c \u0634"), "\u0645\u06cc \u0634");  // no ZWNJ before a space
  EXPECT_EQ(CleanText("\u0434\u0430\u0434\u0430\u0085\u043d\u0435\u0442"),
            "\u0434\u0430\u0434\u0430\n\u043d\u0435\u0442");
  EXPECT_EQ(CleanText("\u0434\u0430\u0434\u0430\u00a0\u043d\u0435\u0442"),
            "\u0434\u0430\u0434\u0430 \u043d\u0435\u0442");
  EXPECT_EQ(CleanText("\u0434\u0430\u0434\u0430\xd0"), "\u0434\u0430\u0434\u0430");  // a lead byte cut off at the end
  EXPECT_EQ(CleanText("\u0434\u0430\xd0\u0434\u0430"), "\u0434\u0430\u0434\u0430");
}

TEST(CleanText, TreatsEveryCodePointAsItsRulesSay) {
  auto encode = [](int32_t cp) {
    std::array<utf8proc_uint8_t, 4> buf{};
    const auto n = utf8proc_encode_char(cp, buf.data());
    return std::string(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
  };
  auto nfc = [](const std::string& s) {
    utf8proc_uint8_t* out = nullptr;
    const auto n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &out,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::string r = n < 0 ? s : std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
    std::free(out);
    return r;
  };
  auto in = [](int32_t cp, std::initializer_list<int32_t> set) {
    for (int32_t c : set) {
      if (c == cp) return true;
    }
    return false;
  };
  const std::string before = "abcdefghij";
  const std::string after = "klmnopqrst";
  int checked = 0;
  for (int32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;  // surrogates are not characters
    std::string expected;
    if (in(cp, {0x85, 0x2028, 0x2029})) {
      expected = before + "\n" + after;
    } else if (in(cp, {0xA0, 0x1680, 0x202F, 0x205F, 0x3000}) || (cp >= 0x2000 && cp <= 0x200A)) {
      expected = before + " " + after;
    } else if (cp < 0xA0 ||
               in(cp, {0xAD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0xFFFE, 0xFFFF}) ||
               (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      expected = before + after;
    } else {
      expected = nfc(before + encode(cp) + after);
    }
    const std::string got = CleanText(before + encode(cp) + after);
    if (got != expected) {
      ADD_FAILURE() << "U+" << std::hex << cp << ": got \"" << got << "\", expected \"" << expected << "\"";
      if (++checked > 20) return;  // enough examples
    }
  }
}

}  // namespace
}  // namespace ingestd
