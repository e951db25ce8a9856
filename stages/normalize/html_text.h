// Main text of an HTML page (gumbo, a real HTML5 parser): paragraph structure
// kept, chrome (script, style, nav, header/footer, aside, forms, elements whose
// class/id/role says menu, share, comments, related...) skipped. When the page has
// <main> or <article> elements, only they are read. Title: the first <h1> of the
// content, else <title>. Stateless, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ingestd {

struct HtmlText {
  std::string title;
  std::string text;  // paragraphs separated by "\n\n", <br> by "\n"; not yet CleanText'ed
  // Set (title and text empty) when elements nest deeper than kMaxHtmlDepth, or their
  // depths add up past kMaxHtmlNestingWork: the page is not parsed (gumbo's time grows
  // with both).
  bool too_deep = false;
  bool too_much_nesting = false;
};

// How deep elements may nest. Blink stops nesting at 512 when it parses; a scraped page
// goes a few dozen deep. gumbo takes about 0.04 s at 4,096 (unclosed <div>s), 7 s at
// 50,000, and reading the tree recurses once per level.
inline constexpr size_t kMaxHtmlDepth = 4096;

// How much nesting a page may hold in all: the depths at which its elements open,
// added up. Under the depth limit gumbo's time still grows with it (its stack of open
// elements is searched as elements open and close): 4 MB of <div>s nested 4,000 deep
// and closed, again and again (720 million), took 2.2 s to parse, the same 4 MB nested
// 40 deep 0.6 s. A heavy news page (30,000 elements about 25 deep) adds up to under a
// million; at this limit nesting costs at most about 0.2 s more.
inline constexpr uint64_t kMaxHtmlNestingWork = 64'000'000;

struct HtmlNesting {
  // Elements left open at the end, or kMaxHtmlDepth + 1 once past it. When counting
  // stopped at the work limit first, those open at that point (the page is refused
  // either way).
  size_t depth = 0;
  uint64_t work = 0;  // past kMaxHtmlNestingWork once past it
};

// Upper bounds of the depth of the tree an HTML5 parser builds from `html` and of its
// nesting work, read in a tokenizer's pass that keeps a stack of the elements left
// open, and that stops once either limit is passed. Void elements, self-closing ones
// inside <svg>/<math>, and the elements a sibling of their kind closes (p, li, td...)
// do not count; an end tag closes its element and those opened after it; raw text
// (script, style...) is skipped.
[[nodiscard]] HtmlNesting MeasureHtmlNesting(std::string_view html);
[[nodiscard]] inline size_t HtmlDepthBound(std::string_view html) { return MeasureHtmlNesting(html).depth; }

[[nodiscard]] HtmlText ExtractHtmlText(std::string_view html);

}  // namespace ingestd
