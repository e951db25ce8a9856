#include "stages/article.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(ArticleTest, HashIsStableAnd128Bits) {
  const Hash128 a = HashText("same text");
  EXPECT_EQ(a, HashText("same text"));
  EXPECT_FALSE(a == HashText("other text"));
  EXPECT_EQ(a.Hex().size(), 32u);
}

TEST(ArticleTest, EnsureIdentityKeepsScraperId) {
  Article a;
  a.id = "scraper-7";
  a.url = "https://x.example/a";
  a.text = "t";
  EnsureIdentity(a);
  EXPECT_EQ(a.id, "scraper-7");
  EXPECT_EQ(a.canonical_url, "");  // normalize's field: absent without it, never the raw url
  ASSERT_TRUE(a.content_hash.has_value());
}

TEST(ArticleTest, IdFromCanonicalUrlElseUrlElseContentHash) {
  Article by_url;
  by_url.canonical_url = "https://x.example/a";
  by_url.url = "https://X.example:443/a#frag";
  by_url.text = "t";
  EnsureIdentity(by_url);
  EXPECT_EQ(by_url.id.rfind("u-", 0), 0u);

  Article raw = by_url;  // a chain without normalize: the url as sent
  raw.id.clear();
  raw.canonical_url.clear();
  EnsureIdentity(raw);
  EXPECT_EQ(raw.id.rfind("u-", 0), 0u);
  EXPECT_NE(raw.id, by_url.id);
  EXPECT_EQ(raw.canonical_url, "");

  Article by_hash;
  by_hash.text = "only text";
  EnsureIdentity(by_hash);
  EXPECT_EQ(by_hash.id.rfind("h-", 0), 0u);
  EXPECT_EQ(by_hash.id.size(), 18u);
}

TEST(ArticleTest, EnsureIdentityIsIdempotent) {
  Article a;
  a.url = "https://x.example/a";
  a.text = "t";
  EnsureIdentity(a);
  const std::string id = a.id;
  EnsureIdentity(a);
  EXPECT_EQ(a.id, id);
}

}  // namespace
}  // namespace ingestd
