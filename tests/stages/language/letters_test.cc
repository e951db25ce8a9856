#include "stages/language/letters.h"

#include <gtest/gtest.h>

#include <string>

namespace ingestd::language {
namespace {

TEST(CountLetters, CountsLettersOfEveryScriptAndNothingElse) {
  EXPECT_EQ(CountLetters("ab1 cd!"), 4u);
  EXPECT_EQ(CountLetters("Бам 42 دار"), 6u);
  EXPECT_EQ(CountLetters("北京 ١٢٣"), 2u);  // Arabic-Indic digits are no letters
  EXPECT_EQ(CountLetters("a\xff"
                         "b"),
            2u);  // an invalid byte is skipped
  EXPECT_EQ(CountLetters(""), 0u);
}

TEST(CountLetters, StopsAtTheCapWithoutReadingFurther) {
  std::string text(500, 'x');
  EXPECT_EQ(CountLetters(text), 500u);
  EXPECT_EQ(CountLetters(text, 120), 120u);
  EXPECT_EQ(CountLetters("Бам 42 дар", 4), 4u);
  EXPECT_EQ(CountLetters("ab", 10), 2u);  // a cap above the count changes nothing
  EXPECT_EQ(CountLetters("abc", 0), 0u);
}

}  // namespace
}  // namespace ingestd::language
