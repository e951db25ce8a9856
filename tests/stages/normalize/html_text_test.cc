#include "stages/normalize/html_text.h"

#include <gtest/gtest.h>

#include "stages/normalize/text_hygiene.h"
#include "stages/text/utf8.h"

namespace ingestd {
namespace {

TEST(ExtractHtmlText, KeepsParagraphsAndSkipsChrome) {
  const std::string html = R"(<!doctype html><html><head><title>Bridge opens | Example</title>
<style>p{color:red}</style><script>var x = "no";</script></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="share-buttons">Share on X</div>
<main><h1>Bridge opens</h1>
<p>The new bridge opened on <b>Monday</b>.</p>
<p>Traffic fell by a third.<br>Residents cheered.</p>
<aside>Related: older stories</aside>
<ul><li>First point</li><li>Second point</li></ul>
</main>
<footer>Copyright 2024</footer></body></html>)";
  const HtmlText out = ExtractHtmlText(html);
  EXPECT_EQ(out.title, "Bridge opens");
  EXPECT_EQ(CleanText(out.text),
            "Bridge opens\n\nThe new bridge opened on Monday.\n\nTraffic fell by a third.\nResidents "
            "cheered.\n\nFirst point\nSecond point");
}

TEST(ExtractHtmlText, FallsBackToTitleElementAndBody) {
  const HtmlText out = ExtractHtmlText(
      "<html><head><title>Only a title</title></head><body><p>Body text.</p>"
      "<div id=\"comments\">Nice!</div></body></html>");
  EXPECT_EQ(out.title, "Only a title");
  EXPECT_EQ(CleanText(out.text), "Body text.");
}

TEST(ExtractHtmlText, OutOfRangeCharacterReferencesBecomeReplacementCharacters) {
  const HtmlText out = ExtractHtmlText("<title>x&#x110000;y</title><p>a &#x1DDDDDDD5; b &#233;</p>");
  EXPECT_TRUE(IsValidUtf8(out.text)) << out.text;
  EXPECT_TRUE(IsValidUtf8(out.title)) << out.title;
  EXPECT_NE(out.text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD where the reference was
  EXPECT_NE(out.text.find("b \xC3\xA9"), std::string::npos);    // valid references still decoded
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(HtmlDepthBound, CountsElementsLeftOpenAndWhatEndTagsClose) {
  EXPECT_EQ(HtmlDepthBound("<p>text"), 0u);  // closes its kind: never nests
  EXPECT_EQ(HtmlDepthBound(Repeat("<div>", 50)), 50u);
  EXPECT_EQ(HtmlDepthBound(Repeat("<div>", 50) + Repeat("</div>", 50)), 0u);
  EXPECT_EQ(HtmlDepthBound("<div><span><b>x</div>"), 0u);         // an end tag closes what opened after it
  EXPECT_EQ(HtmlDepthBound("<div>" + Repeat("</span>", 9)), 1u);  // a stray end tag closes nothing
  EXPECT_EQ(HtmlDepthBound("<DIV><Div></dIv>"), 1u);              // names are case-insensitive
  EXPECT_EQ(HtmlDepthBound("<a title='x>y' href=\"a>b\">"), 1u);  // '>' inside quoted values
  EXPECT_EQ(HtmlDepthBound("<!-- <div><div> --><!doctype html>"), 0u);
}

TEST(HtmlDepthBound, IgnoresWhatCannotNest) {
  EXPECT_EQ(HtmlDepthBound(Repeat("<br><img src=x><hr/><input>", 1000)), 0u);
  EXPECT_EQ(HtmlDepthBound(Repeat("<li>item", 1000) + Repeat("<tr><td>cell", 1000)), 0u);
  // Self-closing counts inside svg/math; outside it, <div/> is an open <div> to HTML.
  EXPECT_EQ(HtmlDepthBound("<svg>" + Repeat("<path d='M0 0'/>", 1000) + "</svg>"), 0u);
  EXPECT_EQ(HtmlDepthBound(Repeat("<div/>", 10)), 10u);
  // Raw text: markup inside a script is not markup.
  EXPECT_EQ(HtmlDepthBound("<script>" + Repeat("var s='<div>';", 1000) + "</SCRIPT><div>"), 1u);
}

TEST(HtmlDepthBound, StopsCountingPastTheLimit) { EXPECT_EQ(HtmlDepthBound(Repeat("<b>", 100000)), kMaxHtmlDepth + 1); }

// A page nested 100,000 deep: not parsed (gumbo's time grows with the square of the
// depth) and no crash (reading such a tree recursively ran the stack out).
TEST(ExtractHtmlText, RefusesAPageNestedDeeperThanTheLimit) {
  const HtmlText deep = ExtractHtmlText(Repeat("<div>", 100000) + "Kabul" + Repeat("</div>", 100000));
  EXPECT_TRUE(deep.too_deep);
  EXPECT_EQ(deep.text, "");

  const HtmlText at_limit = ExtractHtmlText(Repeat("<div>", kMaxHtmlDepth) + "Kabul");
  EXPECT_FALSE(at_limit.too_deep);
  EXPECT_EQ(at_limit.text, "Kabul");
}

TEST(MeasureHtmlNesting, AddsUpTheDepthEachElementOpensAt) {
  EXPECT_EQ(MeasureHtmlNesting("<b>a<i>b</i></b><i>c</i>").work, 1u + 2u + 1u);
  EXPECT_EQ(MeasureHtmlNesting("<p>a<p>b<br>").work, 0u);  // what cannot nest does not count
  EXPECT_EQ(MeasureHtmlNesting(Repeat("<div>", 3) + Repeat("</div>", 3)).work, 1u + 2u + 3u);
  const HtmlNesting nested = MeasureHtmlNesting(Repeat(Repeat("<div>", 100) + "x" + Repeat("</div>", 100), 7));
  EXPECT_EQ(nested.work, 7u * 100u * 101u / 2u);
  EXPECT_EQ(nested.depth, 0u);
}

TEST(MeasureHtmlNesting, StopsCountingPastTheWorkLimit) {
  // 4,000 deep, closed, again and again: each round adds 8 million.
  const std::string round = Repeat("<div>", 4000) + "x" + Repeat("</div>", 4000);
  const HtmlNesting n = MeasureHtmlNesting(Repeat(round, 1000));
  EXPECT_GT(n.work, kMaxHtmlNestingWork);
  EXPECT_LT(n.work, kMaxHtmlNestingWork + 4000u * 4001u / 2u + 1u);  // stopped in the round that passed it
}

// Under the depth limit, but nested deep again and again (4 MB took 2.2 s to parse):
// not parsed either; the same amount of markup nested shallowly is.
TEST(ExtractHtmlText, RefusesAPageWhoseNestingAddsUpPastTheLimit) {
  const std::string deep_round = Repeat("<div>", 4000) + "Kabul " + Repeat("</div>", 4000);
  const HtmlText deep = ExtractHtmlText(Repeat(deep_round, 10));
  EXPECT_FALSE(deep.too_deep);
  EXPECT_TRUE(deep.too_much_nesting);
  EXPECT_EQ(deep.text, "");

  const std::string shallow_round = Repeat("<div>", 40) + "Kabul " + Repeat("</div>", 40);
  const HtmlText shallow = ExtractHtmlText(Repeat(shallow_round, 1000));
  EXPECT_FALSE(shallow.too_much_nesting);
  EXPECT_NE(shallow.text.find("Kabul"), std::string::npos);
}

}  // namespace
}  // namespace ingestd
