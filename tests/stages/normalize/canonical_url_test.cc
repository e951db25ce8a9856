#include "stages/normalize/canonical_url.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(CanonicalUrl, LowercasesDropsDefaultPortFragmentAndTracking) {
  EXPECT_EQ(CanonicalUrl("HTTPS://News.Example.COM:443/a/b?utm_source=x&b=2&fbclid=y&a=1#top"),
            "https://news.example.com/a/b?a=1&b=2");
  EXPECT_EQ(CanonicalUrl("http://example.com:80"), "http://example.com/");
}

TEST(CanonicalUrl, DropsConfiguredTrackingParameters) {
  EXPECT_EQ(CanonicalUrl("https://x.example/p?ref=home&id=7", {"ref"}), "https://x.example/p?id=7");
}

TEST(CanonicalUrl, ResolvesDotSegments) {
  EXPECT_EQ(CanonicalUrl("https://x.example/a/./b/../c"), "https://x.example/a/c");
}

TEST(CanonicalUrl, PutsIdnHostsInPunycode) {
  EXPECT_EQ(CanonicalUrl("https://\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444/news"),
            "https://xn--e1afmkfd.xn--p1ai/news");
  EXPECT_EQ(CanonicalUrl("https://\u041F\u0420\u0418\u041C\u0415\u0420.\u0440\u0444/news"),
            "https://xn--e1afmkfd.xn--p1ai/news");
  EXPECT_EQ(CanonicalUrl("https://XN--E1AFMKFD.xn--p1ai/news"), "https://xn--e1afmkfd.xn--p1ai/news");
}

TEST(CanonicalUrl, HostEscapesThatAreNotUtf8StayEscaped) {
  const std::string url = CanonicalUrl("http://X.%cafe%C3.example/p");
  for (char c : url) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << url;
  EXPECT_EQ(url, "http://x.%CAfe%C3.example/p");
  EXPECT_EQ(CanonicalUrl("https://%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.example/"), "https://xn--e1afmkfd.example/");
}

TEST(CanonicalUrl, SpellsPercentEscapesOneWay) {
  // Unreserved characters decoded, hex uppercase, raw UTF-8 and spaces escaped.
  EXPECT_EQ(CanonicalUrl("https://x.example/%7Euser/a%2fb/%e2%80%99"), "https://x.example/~user/a%2Fb/%E2%80%99");
  EXPECT_EQ(CanonicalUrl("https://x.example/caf\u00E9 menu"), "https://x.example/caf%C3%A9%20menu");
  EXPECT_EQ(CanonicalUrl("https://x.example/s?q=a%20b&t=%41"), "https://x.example/s?q=a%20b&t=A");
}

TEST(CanonicalUrl, LeavesNonUrlsAlone) { EXPECT_EQ(CanonicalUrl("not a url"), "not a url"); }

}  // namespace
}  // namespace ingestd
