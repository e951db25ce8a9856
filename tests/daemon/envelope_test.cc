#include "daemon/envelope.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

InputConfig Defaults() { return InputConfig{}; }

const DecodeError& Error(const DecodeResult& r) {
  static const DecodeError kNone{"", "decoded fine"};
  const auto* e = std::get_if<DecodeError>(&r);
  return e ? *e : kNone;
}

TEST(EnvelopeTest, DecodesAllKnownFields) {
  auto r = DecodeEnvelope(
      R"({"id":"a1","url":"https://x.example/1","title":"T","text":"Body","html":"<p>b</p>","source":"x",
          "language":"fa","published_at":"2024-01-01T00:00:00Z","fetched_at":"2024-01-01T00:01:00Z",
          "meta":{"k":[1,2]}})",
      Defaults());
  ASSERT_TRUE(std::holds_alternative<Article>(r)) << Error(r).message;
  const Article& a = std::get<Article>(r);
  EXPECT_EQ(a.id, "a1");
  EXPECT_EQ(a.url, "https://x.example/1");
  EXPECT_EQ(a.title, "T");
  EXPECT_EQ(a.text, "Body");
  EXPECT_EQ(a.html, "<p>b</p>");
  EXPECT_EQ(a.language_hint, "fa");
  EXPECT_EQ(a.published_at, "2024-01-01T00:00:00Z");
  ASSERT_EQ(a.meta.size(), 1u);
  EXPECT_EQ(a.meta[0].first, "k");
  EXPECT_EQ(a.meta[0].second, "[1,2]");
}

TEST(EnvelopeTest, UnknownTopLevelFieldsMoveIntoMetaWithoutShadowingIt) {
  auto r = DecodeEnvelope(R"({"url":"u://x","text":"t","extra":{"a":1},"k":2,"meta":{"k":1}})", Defaults());
  const Article& a = std::get<Article>(r);
  ASSERT_EQ(a.meta.size(), 2u);
  EXPECT_EQ(a.meta[0], (RawField{"k", "1"}));
  EXPECT_EQ(a.meta[1], (RawField{"extra", R"({"a":1})"}));
}

TEST(EnvelopeTest, NumericIdIsKeptAsText) {
  auto r = DecodeEnvelope(R"({"id": 12345, "url":"u://x","text":"t"})", Defaults());
  EXPECT_EQ(std::get<Article>(r).id, "12345");
}

TEST(EnvelopeTest, NullFieldsAreAbsent) {
  auto r = DecodeEnvelope(R"({"url":"u://x","text":"t","title":null,"meta":null})", Defaults());
  EXPECT_TRUE(std::get<Article>(r).title.empty());
}

struct BadCase {
  const char* name;
  std::string input;
  const char* reason;
};

class EnvelopeRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(EnvelopeRejectTest, RejectsWithItsOwnReason) {
  const auto r = DecodeEnvelope(GetParam().input, Defaults());
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
  EXPECT_EQ(Error(r).reason, GetParam().reason) << Error(r).message;
  EXPECT_FALSE(Error(r).message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, EnvelopeRejectTest,
    ::testing::Values(BadCase{"Malformed", "{\"url\": }", "invalid_json"},
                      BadCase{"Truncated", R"({"url":"u://x","text":"unterminated)", "truncated_json"},
                      BadCase{"TruncatedObject", R"({"url":"u://x","text":"t")", "truncated_json"},
                      BadCase{"Empty", "", "invalid_json"}, BadCase{"Array", "[1,2]", "not_an_object"},
                      BadCase{"Scalar", "\"just a string\"", "not_an_object"},
                      BadCase{"EmptyObject", "{}", "missing_field"},
                      BadCase{"NoBody", R"({"url":"u://x"})", "empty_body"},
                      BadCase{"BlankBody", R"({"url":"u://x","text":" \n\t "})", "empty_body"},
                      BadCase{"NumberText", R"({"url":"u://x","text":42})", "wrong_type"},
                      BadCase{"ArrayUrl", R"({"url":["u://x"],"text":"t"})", "wrong_type"},
                      BadCase{"BoolTitle", R"({"url":"u://x","text":"t","title":true})", "wrong_type"},
                      BadCase{"MetaString", R"({"url":"u://x","text":"t","meta":"m"})", "wrong_type"},
                      BadCase{"Binary", std::string("\x00\x01\xfe\xff garbage", 13), "binary"},
                      BadCase{"Deep", std::string(200, '[') + std::string(200, ']'), "not_an_object"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(EnvelopeTest, DeepObjectIsTooDeep) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  EXPECT_EQ(Error(DecodeEnvelope(deep, Defaults())).reason, "too_deep");
}

TEST(EnvelopeTest, VeryDeepNestingBeyondParserLimitIsTooDeep) {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  EXPECT_EQ(Error(DecodeEnvelope(deep, Defaults())).reason, "too_deep");
}

TEST(EnvelopeTest, AByteOrderMarkBeforeTheObjectIsIgnored) {
  const auto r = DecodeEnvelope("\xEF\xBB\xBF{\"url\":\"u://x\",\"text\":\"t\"}", Defaults());
  ASSERT_TRUE(std::holds_alternative<Article>(r)) << Error(r).message;
  EXPECT_EQ(std::get<Article>(r).text, "t");
}

// A complete object with something after it is not a record cut short.
TEST(EnvelopeTest, ContentAfterTheObjectIsMalformedNotTruncated) {
  for (const std::string tail : {",", "  5", "\nxyz", "{}"}) {
    const std::string record = R"({"url":"u://x","text":"a } in a string"})" + tail;  // 40 bytes, then the tail
    const auto r = DecodeEnvelope(record, Defaults());
    EXPECT_EQ(Error(r).reason, "invalid_json") << tail << ": " << Error(r).message;
    const size_t at = record.find_first_not_of(" \n", 40);
    EXPECT_NE(Error(r).message.find("content after the JSON value, at byte " + std::to_string(at)), std::string::npos)
        << Error(r).message;
  }
  EXPECT_EQ(Error(DecodeEnvelope(R"({"url":"u://x","text":"cut)", Defaults())).reason, "truncated_json");
}

TEST(EnvelopeTest, MalformedStringsAndNumbersSayWhatIsWrong) {
  const auto surrogate = DecodeEnvelope(R"({"url":"u://x","text":"a \ud800 b"})", Defaults());
  EXPECT_EQ(Error(surrogate).reason, "invalid_json");
  EXPECT_NE(Error(surrogate).message.find("lone surrogate"), std::string::npos) << Error(surrogate).message;
  const auto number =
      DecodeEnvelope(R"({"url":"u://x","text":"t","meta":{"n":123456789012345678901234567890}})", Defaults());
  EXPECT_EQ(Error(number).reason, "invalid_json");
  EXPECT_NE(Error(number).message.find("beyond 64 bits"), std::string::npos) << Error(number).message;
}

TEST(EnvelopeTest, OversizedRecordIsRejectedBeforeParsing) {
  InputConfig c;
  c.max_record_bytes = 1024;
  const std::string big = R"({"url":"u://x","text":")" + std::string(2000, 'a') + "\"}";
  const auto r = DecodeEnvelope(big, c);
  EXPECT_EQ(Error(r).reason, "too_large");
  EXPECT_NE(Error(r).message.find("input.max_record_bytes"), std::string::npos);
}

TEST(EnvelopeTest, InvalidUtf8IsRepairedAndCounted) {
  const std::string raw = "{\"url\":\"u://x\",\"text\":\"caf\xc3 and \xff\"}";
  const auto r = DecodeEnvelope(raw, Defaults());
  ASSERT_TRUE(std::holds_alternative<Article>(r)) << Error(r).message;
  const Article& a = std::get<Article>(r);
  EXPECT_EQ(a.utf8_replacements, 2u);
  EXPECT_EQ(a.text, "caf\xEF\xBF\xBD and \xEF\xBF\xBD");
}

TEST(EnvelopeTest, InvalidUtf8IsRejectedWhenConfigured) {
  InputConfig c;
  c.repair_invalid_utf8 = false;
  EXPECT_EQ(Error(DecodeEnvelope("{\"url\":\"u://x\",\"text\":\"\xff\"}", c)).reason, "invalid_utf8");
}

TEST(EnvelopeTest, EscapedNulInsideStringIsKept) {
  const auto r = DecodeEnvelope(R"({"url":"u://x","text":"a\u0000b"})", Defaults());
  ASSERT_TRUE(std::holds_alternative<Article>(r));
  EXPECT_EQ(std::get<Article>(r).text, std::string("a\0b", 3));
}

}  // namespace
}  // namespace ingestd
