#include "stages/text/utf8.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <array>

namespace ingestd {
namespace {

// DecodeUtf8 must accept and reject exactly what utf8proc_iterate does, so the
// loops that use it behave as they did with the library call.
void ExpectSameAsUtf8proc(const unsigned char* p, size_t n) {
  int32_t ours = -1;
  const size_t len = DecodeUtf8(p, n, ours);
  utf8proc_int32_t theirs = -1;
  const auto their_len = utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(n), &theirs);
  if (their_len <= 0) {
    ASSERT_EQ(len, 0u) << std::hex << int{p[0]} << " " << int{p[1]} << " " << int{p[2]} << " " << int{p[3]};
  } else {
    ASSERT_EQ(len, static_cast<size_t>(their_len)) << std::hex << int{p[0]} << " " << int{p[1]};
    ASSERT_EQ(ours, theirs);
  }
}

TEST(DecodeUtf8, AgreesWithUtf8procOnEveryTwoAndThreeByteSequence) {
  std::array<unsigned char, 4> b{};
  for (int c0 = 0x80; c0 <= 0xFF; ++c0) {
    for (int c1 = 0; c1 <= 0xFF; ++c1) {
      b = {static_cast<unsigned char>(c0), static_cast<unsigned char>(c1), 0, 0};
      ExpectSameAsUtf8proc(b.data(), 2);
      for (int c2 = 0x70; c2 <= 0xCF; ++c2) {  // continuation bytes and their neighbours
        b[2] = static_cast<unsigned char>(c2);
        ExpectSameAsUtf8proc(b.data(), 3);
      }
    }
  }
}

TEST(DecodeUtf8, AgreesWithUtf8procOnFourByteSequencesAndTruncation) {
  std::array<unsigned char, 4> b{};
  for (int c0 = 0xF0; c0 <= 0xFF; ++c0) {
    for (int c1 = 0x70; c1 <= 0xCF; ++c1) {
      for (int c3 : {0x7F, 0x80, 0xBF, 0xC0}) {
        b = {static_cast<unsigned char>(c0), static_cast<unsigned char>(c1), 0x80, static_cast<unsigned char>(c3)};
        ExpectSameAsUtf8proc(b.data(), 4);
        ExpectSameAsUtf8proc(b.data(), 3);  // cut short
        ExpectSameAsUtf8proc(b.data(), 1);
      }
    }
  }
}

// DecodeTwoByteUtf8 takes exactly the two-byte sequences DecodeUtf8 takes.
TEST(DecodeTwoByteUtf8, AcceptsExactlyTheTwoByteSequencesDecodeUtf8Accepts) {
  for (int c0 = 0; c0 <= 0xFF; ++c0) {
    for (int c1 = 0; c1 <= 0xFF; ++c1) {
      const std::array<unsigned char, 2> b{static_cast<unsigned char>(c0), static_cast<unsigned char>(c1)};
      int32_t general = -1;
      const bool two = c0 >= 0x80 && DecodeUtf8(b.data(), 2, general) == 2;
      int32_t cp = -1;
      ASSERT_EQ(DecodeTwoByteUtf8(b.data(), 2, cp), two) << std::hex << c0 << " " << c1;
      if (two) {
        ASSERT_EQ(cp, general);
      }
      ASSERT_FALSE(DecodeTwoByteUtf8(b.data(), 1, cp));  // one byte left
    }
  }
}

TEST(DecodeUtf8, DecodesLettersOfSeveralScripts) {
  const std::string text = "é ب 中 😀";
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  int32_t cp = 0;
  EXPECT_EQ(DecodeUtf8(p, text.size(), cp), 2u);
  EXPECT_EQ(cp, 0xE9);
  EXPECT_EQ(DecodeUtf8(p + 3, text.size() - 3, cp), 2u);
  EXPECT_EQ(cp, 0x0628);
  EXPECT_EQ(DecodeUtf8(p + 6, text.size() - 6, cp), 3u);
  EXPECT_EQ(cp, 0x4E2D);
  EXPECT_EQ(DecodeUtf8(p + 10, text.size() - 10, cp), 4u);
  EXPECT_EQ(cp, 0x1F600);
}

TEST(RepairUtf8Test, KeepsValidMultibyteSequences) {
  std::string out;
  EXPECT_EQ(RepairUtf8("داعش 伊斯兰国 ok", out), 0u);
  EXPECT_EQ(out, "داعش 伊斯兰国 ok");
}

TEST(RepairUtf8Test, ReplacesOverlongAndSurrogateEncodings) {
  std::string out;
  EXPECT_EQ(RepairUtf8("\xc0\xaf|\xed\xa0\x80", out), 5u);  // each byte of an invalid sequence
  EXPECT_EQ(out.find('\xc0'), std::string::npos);
}

TEST(IsValidUtf8Test, AgreesWithRepairUtf8) {
  for (const std::string& s : {std::string("داعش 伊斯兰国 ok"), std::string("\xc0\xaf|"), std::string("a\xed\xa0\x80"),
                               std::string("\xf4\x90\x80\x80"), std::string("caf\xc3"), std::string()}) {
    std::string out;
    EXPECT_EQ(IsValidUtf8(s), RepairUtf8(s, out) == 0) << s;
  }
}

}  // namespace
}  // namespace ingestd
