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

}  // namespace
}  // namespace ingestd
