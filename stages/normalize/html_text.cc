#include "stages/normalize/html_text.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "stages/text/utf8.h"

namespace ingestd {
namespace {

bool IsSkippedTag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_CANVAS: return true;
    default: return false;
  }
}

// Elements that end a paragraph.
bool IsParagraph(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_HR: return true;
    default: return false;
  }
}

// Elements that end a line.
bool IsLine(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_BR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_MAIN: return true;
    default: return false;
  }
}

bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// class/id tokens ("site-nav", "share_buttons") that name chrome.
bool NamesChrome(std::string_view value) {
  static constexpr std::array<std::string_view, 26> kWords = {
      "nav",    "navbar",  "menu",   "footer",  "sidebar",    "comments",  "comment",    "share",       "sharing",
      "social", "related", "cookie", "cookies", "newsletter", "subscribe", "breadcrumb", "breadcrumbs", "widget",
      "advert", "ads",     "promo",  "banner",  "popup",      "modal",     "masthead",   "skip"};
  size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && !IsAsciiAlnum(value[pos])) ++pos;
    size_t end = pos;
    while (end < value.size() && IsAsciiAlnum(value[end])) ++end;
    std::string word(value.substr(pos, end - pos));
    for (auto& c : word) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    for (auto w : kWords) {
      if (word == w) return true;
    }
    pos = end;
  }
  return false;
}

bool IsChrome(const GumboElement& el) {
  if (IsSkippedTag(el.tag)) return true;
  for (unsigned i = 0; i < el.attributes.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(el.attributes.data[i]);
    const std::string_view name(a->name);
    const std::string_view value(a->value);
    if (name == "hidden") return true;
    if (name == "aria-hidden" && value == "true") return true;
    if (name == "role" && (value == "navigation" || value == "banner" || value == "contentinfo" ||
                           value == "complementary" || value == "search" || value == "dialog")) {
      return true;
    }
    if ((name == "class" || name == "id") && NamesChrome(value)) return true;
  }
  return false;
}

class Extractor {
 public:
  void Walk(const GumboNode* node) {
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
      AppendText(node->v.text.text);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& el = node->v.element;
    if (IsChrome(el)) return;
    const bool para = IsParagraph(el.tag);
    const bool line = IsLine(el.tag);
    if (para) Break(2);
    if (line) Break(1);
    for (unsigned i = 0; i < el.children.length; ++i) Walk(static_cast<const GumboNode*>(el.children.data[i]));
    if (para) Break(2);
    if (line) Break(1);
    if (el.tag == GUMBO_TAG_TD || el.tag == GUMBO_TAG_TH) space_ = true;
  }

  std::string Take() { return std::move(out_); }

 private:
  void AppendText(std::string_view s) {
    for (char c : s) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        space_ = true;
        continue;
      }
      if (breaks_ > 0) {
        if (!out_.empty()) out_.append(breaks_ > 1 ? "\n\n" : "\n");
        breaks_ = 0;
        space_ = false;
      } else if (space_ && !out_.empty() && out_.back() != '\n') {
        out_.push_back(' ');
      }
      space_ = false;
      out_.push_back(c);
    }
  }
  void Break(int n) { breaks_ = std::max(breaks_, n); }

  std::string out_;
  int breaks_ = 0;
  bool space_ = false;
};

std::string TextOf(const GumboNode* node) {
  Extractor e;
  e.Walk(node);
  return e.Take();
}

// Depth-first search for elements; collects into out.
void FindAll(const GumboNode* node, GumboTag tag, std::vector<const GumboNode*>& out, bool skip_chrome) {
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboElement& el = node->v.element;
  if (el.tag == tag) {
    out.push_back(node);
    return;  // not nested ones
  }
  if (skip_chrome && el.tag != GUMBO_TAG_HTML && el.tag != GUMBO_TAG_BODY && IsChrome(el)) return;
  for (unsigned i = 0; i < el.children.length; ++i) {
    FindAll(static_cast<const GumboNode*>(el.children.data[i]), tag, out, skip_chrome);
  }
}

std::string FindTitle(const GumboNode* root) {
  std::vector<const GumboNode*> found;
  FindAll(root, GUMBO_TAG_TITLE, found, false);
  if (found.empty()) return {};
  return TextOf(found.front());
}

}  // namespace

HtmlText ExtractHtmlText(std::string_view html) {
  HtmlText result;
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (!output) return result;
  const GumboNode* root = output->root;

  // Main content: <main>, else every top-level <article>, else <body>.
  std::vector<const GumboNode*> parts;
  FindAll(root, GUMBO_TAG_MAIN, parts, true);
  if (parts.empty()) FindAll(root, GUMBO_TAG_ARTICLE, parts, true);
  if (parts.empty()) parts.push_back(root);
  for (const GumboNode* p : parts) {
    std::string t = TextOf(p);
    if (t.empty()) continue;
    if (!result.text.empty()) result.text += "\n\n";
    result.text += t;
  }

  std::vector<const GumboNode*> h1;
  for (const GumboNode* p : parts) FindAll(p, GUMBO_TAG_H1, h1, false);
  if (!h1.empty()) result.title = TextOf(h1.front());
  if (result.title.empty()) result.title = FindTitle(root);

  // gumbo encodes an out-of-range character reference (&#x1DDDDDDD5;) as bytes that
  // are not UTF-8 instead of U+FFFD (found by html_fuzz): repair what it decoded.
  for (std::string* s : {&result.text, &result.title}) {
    if (IsValidUtf8(*s)) continue;
    std::string repaired;
    RepairUtf8(*s, repaired);
    s->swap(repaired);
  }
  return result;
}

}  // namespace ingestd
