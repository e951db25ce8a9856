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
};

[[nodiscard]] HtmlText ExtractHtmlText(std::string_view html);

}  // namespace ingestd
