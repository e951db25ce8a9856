#include "daemon/event_writer.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <random>

namespace ingestd {
namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

Article Minimal() {
  Article a;
  a.id = "id-1";
  a.url = "https://x.example/a";
  a.title = "Title";
  a.text = "Body";
  return a;
}

TEST(EventWriterTest, UnfilledStageFieldsAreAbsent) {
  auto d = Parse(EncodeEvent(Minimal()));
  EXPECT_STREQ(d["schema"].GetString(), "ingestd.article.v1");
  EXPECT_STREQ(d["id"].GetString(), "id-1");
  for (const char* absent : {"dedupe", "language", "tags", "content_hash", "canonical_url", "input", "boilerplate"}) {
    EXPECT_FALSE(d.HasMember(absent)) << absent;
  }
  EXPECT_TRUE(d["meta"].IsObject());
}

TEST(EventWriterTest, EscapesControlCharactersQuotesAndKeepsUnicode) {
  Article a = Minimal();
  a.text = std::string("quote \" back \\ nul \0 tab \t داعش", 35);
  auto d = Parse(EncodeEvent(a));
  EXPECT_EQ(std::string(d["text"].GetString(), d["text"].GetStringLength()), a.text);
}

TEST(EventWriterTest, EscapesEveryControlCharacterInLongStrings) {
  // Each control character at every offset of a string long enough for vectorized scans.
  for (int c = 1; c < 0x20; ++c) {
    for (size_t at = 0; at < 40; at += 3) {
      Article a = Minimal();
      a.text = std::string(64, 'b');
      a.text[at] = static_cast<char>(c);
      const std::string json = EncodeEvent(a);
      for (char ch : json) ASSERT_GE(static_cast<unsigned char>(ch), 0x20) << "raw control " << c << " at " << at;
      auto d = Parse(json);
      ASSERT_TRUE(d.IsObject());
      EXPECT_EQ(std::string(d["text"].GetString(), d["text"].GetStringLength()), a.text);
    }
  }
}

// WriteJsonChars, between quotes, must write exactly what RapidJSON's scalar
// Writer::String writes.
std::string RapidJsonString(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

template <JsonCharBlocks kBlocks>
std::string FastString(std::string_view s) {
  std::string out(6 * s.size(), '\0');
  out.resize(static_cast<size_t>(WriteJsonCharsWith<kBlocks>(s, out.data()) - out.data()));
  return '"' + out + '"';
}

template <JsonCharBlocks kBlocks>
void ExpectRapidJsonBytes() {
  // Every byte value at every offset of a 40-byte string (escapes in the first and
  // second sixteen-byte block, straddling the eight-byte words, and in the tail), then random strings over a small
  // alphabet rich in escapes, and UTF-8.
  for (int b = 0; b < 256; ++b) {
    if (b >= 0x80) continue;  // the text is valid UTF-8: lone high bytes are not inputs
    for (size_t at = 0; at < 40; ++at) {
      std::string s(40, 'a');
      s[at] = static_cast<char>(b);
      ASSERT_EQ(FastString<kBlocks>(s), RapidJsonString(s)) << "byte " << b << " at " << at;
    }
  }
  const std::string alphabet[] = {"a", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "/", "é", "ش", "中", "😀"};
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) s += alphabet[rng() % std::size(alphabet)];
    ASSERT_EQ(FastString<kBlocks>(s), RapidJsonString(s)) << s;
  }
  EXPECT_EQ(FastString<kBlocks>(""), "\"\"");
}

TEST(EventWriterTest, FastStringWritesTheBytesRapidJsonWrites) {
  std::string s = "tab\there \"quoted\" and a long run of plain text \x1f";
  std::string out(6 * s.size(), '\0');
  out.resize(static_cast<size_t>(WriteJsonChars(s, out.data()) - out.data()));
  EXPECT_EQ('"' + out + '"', RapidJsonString(s));  // the build's own choice
  ExpectRapidJsonBytes<kJsonCharBlocks>();
}

// The eight-bytes-at-a-time path that CPUs without SSE2 take, run here too.
TEST(EventWriterTest, SwarStringWritesTheBytesRapidJsonWrites) { ExpectRapidJsonBytes<JsonCharBlocks::kSwar>(); }

TEST(EventWriterTest, WritesStageResults) {
  Article a = Minimal();
  a.content_hash = HashText(a.text);
  a.dedupe = DedupeResult{DedupeStatus::kNear, "orig-1", 0.92, "story-7", ""};
  a.language = LanguageResult{"ps", 0.97, true, {{"en", 12.0}}};
  a.tags = std::vector<Tag>{{"org/iskp",
                             "organization",
                             "Islamic State Khorasan Province",
                             1,
                             {{Mention::Field::kTitle, 0, 6, "ISIS-K"}},
                             {}}};
  a.input = InputPosition{"articles.raw", 3, 42};
  a.meta = {{"views", "5400"}, {"tags", R"(["a","b"])"}};
  auto d = Parse(EncodeEvent(a));
  EXPECT_EQ(std::string(d["content_hash"].GetString()).size(), 32u);
  EXPECT_STREQ(d["dedupe"]["status"].GetString(), "near");
  EXPECT_STREQ(d["dedupe"]["duplicate_of"].GetString(), "orig-1");
  EXPECT_DOUBLE_EQ(d["dedupe"]["similarity"].GetDouble(), 0.92);
  EXPECT_STREQ(d["language"]["code"].GetString(), "ps");
  EXPECT_TRUE(d["language"]["reliable"].GetBool());
  EXPECT_STREQ(d["language"]["others"][0]["code"].GetString(), "en");
  EXPECT_STREQ(d["tags"][0]["mentions"][0]["field"].GetString(), "title");
  EXPECT_EQ(d["tags"][0]["mentions"][0]["end"].GetUint(), 6u);
  EXPECT_EQ(d["input"]["partition"].GetInt(), 3);
  EXPECT_EQ(d["input"]["offset"].GetInt64(), 42);
  EXPECT_EQ(d["meta"]["views"].GetInt(), 5400);
  EXPECT_STREQ(d["meta"]["tags"][1].GetString(), "b");
}

TEST(EventWriterTest, UniqueArticleHasNullDuplicateOf) {
  Article a = Minimal();
  a.dedupe = DedupeResult{};
  auto d = Parse(EncodeEvent(a));
  EXPECT_TRUE(d["dedupe"]["duplicate_of"].IsNull());
  EXPECT_STREQ(d["dedupe"]["status"].GetString(), "unique");
}

TEST(EventWriterTest, DeadLetterKeepsValidUtf8RawAsText) {
  auto d = Parse(EncodeDeadLetterJson({"parse", "invalid_json", "bad"}, "{oops", 7, nullptr));
  EXPECT_STREQ(d["raw"].GetString(), "{oops");
  EXPECT_EQ(d["line"].GetInt(), 7);
  EXPECT_FALSE(d.HasMember("raw_base64"));
}

TEST(EventWriterTest, DeadLetterEncodesInvalidUtf8AsBase64) {
  auto d = Parse(EncodeDeadLetterJson({"parse", "binary", "bad"}, std::string("\x00\xff\xfe", 3), 1, nullptr));
  EXPECT_FALSE(d.HasMember("raw"));
  EXPECT_STREQ(d["raw_base64"].GetString(), "AP/+");
}

TEST(EventWriterTest, ProcessedAtIsRfc3339Utc) {
  const std::string t = NowRfc3339();
  ASSERT_EQ(t.size(), 24u) << t;
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

}  // namespace
}  // namespace ingestd
