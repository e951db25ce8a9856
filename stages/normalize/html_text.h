// Main text of an HTML page (gumbo, a real HTML5 parser): paragraph structure
// kept, chrome (script, style, nav, header/footer, aside, forms, elements whose
// class/id/role says menu, share, comments, related...) skipped. When the page has
// <main> or <article> elements, only they are read. Title: the first <h1> of the
// content, else <title>. Stateless, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ingestd {

struct HtmlText {
  std::string title;
  std::string text;  // paragraphs separated by "\n\n", <br> by "\n"; not yet CleanText'ed
  // Set (title and text empty) when elements nest deeper than kMaxHtmlDepth: the page
  // is not parsed (gumbo's time grows with the square of the depth).
  bool too_deep = false;
};

// How deep elements may nest. Blink stops nesting at 512 when it parses; a scraped page
// goes a few dozen deep. gumbo takes about 0.04 s at 4,096 (unclosed <div>s), 7 s at
// 50,000, and reading the tree recurses once per level.
inline constexpr size_t kMaxHtmlDepth = 4096;

// An upper bound of the depth of the tree an HTML5 parser builds from `html`, or
// kMaxHtmlDepth + 1 once it passes that: a tokenizer's pass that keeps a stack of the
// elements left open. Void elements, self-closing ones inside <svg>/<math>, and the
// elements a sibling of their kind closes (p, li, td...) do not count; an end tag
// closes its element and those opened after it; raw text (script, style...) is skipped.
[[nodiscard]] size_t HtmlDepthBound(std::string_view html);

[[nodiscard]] HtmlText ExtractHtmlText(std::string_view html);

}  // namespace ingestd
