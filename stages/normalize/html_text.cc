#include "stages/normalize/html_text.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
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

// Depth-limited, so that a tree gumbo built deeper than the bound said (it should not)
// cannot run the stack out: content past kMaxWalkDepth is left out.
constexpr size_t kMaxWalkDepth = 2 * kMaxHtmlDepth;

class Extractor {
 public:
  void Walk(const GumboNode* node, size_t depth = 0) {
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
      AppendText(node->v.text.text);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& el = node->v.element;
    if (IsChrome(el) || depth > kMaxWalkDepth) return;
    const bool para = IsParagraph(el.tag);
    const bool line = IsLine(el.tag);
    if (para) Break(2);
    if (line) Break(1);
    for (unsigned i = 0; i < el.children.length; ++i) {
      Walk(static_cast<const GumboNode*>(el.children.data[i]), depth + 1);
    }
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
void FindAll(const GumboNode* node, GumboTag tag, std::vector<const GumboNode*>& out, bool skip_chrome,
             size_t depth = 0) {
  if (node->type != GUMBO_NODE_ELEMENT || depth > kMaxWalkDepth) return;
  const GumboElement& el = node->v.element;
  if (el.tag == tag) {
    out.push_back(node);
    return;  // not nested ones
  }
  if (skip_chrome && el.tag != GUMBO_TAG_HTML && el.tag != GUMBO_TAG_BODY && IsChrome(el)) return;
  for (unsigned i = 0; i < el.children.length; ++i) {
    FindAll(static_cast<const GumboNode*>(el.children.data[i]), tag, out, skip_chrome, depth + 1);
  }
}

std::string FindTitle(const GumboNode* root) {
  std::vector<const GumboNode*> found;
  FindAll(root, GUMBO_TAG_TITLE, found, false);
  if (found.empty()) return {};
  return TextOf(found.front());
}

bool IsVoid(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_IMAGE:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR: return true;
    default: return false;
  }
}

// Closed by the next sibling of their kind (or their parent's end), so a run of them
// never nests; nor do the document's own html, head and body.
bool ClosesItsKind(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RTC:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_BODY: return true;
    default: return false;
  }
}

// Their content is text up to their own end tag.
bool IsRawText(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_PLAINTEXT: return true;
    default: return false;
  }
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Case-insensitive search for "</" + name from pos; npos when absent.
size_t FindEndTag(std::string_view html, std::string_view name, size_t pos) {
  while ((pos = html.find("</", pos)) != std::string_view::npos) {
    pos += 2;
    if (html.size() - pos >= name.size() &&
        std::equal(name.begin(), name.end(), html.begin() + static_cast<std::ptrdiff_t>(pos),
                   [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); })) {
      return pos - 2;
    }
  }
  return std::string_view::npos;
}

}  // namespace

HtmlNesting MeasureHtmlNesting(std::string_view html) {
  HtmlNesting nesting;
  // One pass: each '<' is looked at once, each tag name and attribute list read once.
  std::vector<GumboTag> open;                     // the stack of counted elements
  std::array<uint32_t, GUMBO_TAG_LAST + 1> in{};  // how many of each tag it holds
  size_t foreign = 0;                             // <svg>/<math> open: "/>" closes there
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    ++pos;
    if (pos >= html.size()) break;
    if (html[pos] == '!') {  // comment, doctype, CDATA
      const size_t end = html.compare(pos, 3, "!--") == 0 ? html.find("-->", pos + 3) : html.find('>', pos);
      if (end == std::string_view::npos) break;
      pos = end + 1;
      continue;
    }
    const bool closing = html[pos] == '/';
    if (closing) ++pos;
    if (pos >= html.size() || !IsAsciiAlpha(html[pos])) continue;  // text, as for the tokenizer
    size_t name_end = pos;
    while (name_end < html.size() && !std::isspace(static_cast<unsigned char>(html[name_end])) &&
           html[name_end] != '/' && html[name_end] != '>') {
      ++name_end;
    }
    const std::string_view name = html.substr(pos, name_end - pos);
    const GumboTag tag = gumbo_tagn_enum(name.data(), static_cast<unsigned>(name.size()));
    // The rest of the tag: attribute values may hold '>' inside quotes.
    size_t end = name_end;
    char quote = 0;
    for (; end < html.size(); ++end) {
      const char c = html[end];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        if (end > 0 && html[end - 1] == '=') quote = c;
      } else if (c == '>') {
        break;
      }
    }
    if (end >= html.size()) break;
    const bool self_closing = html[end - 1] == '/';
    pos = end + 1;
    if (IsVoid(tag) || ClosesItsKind(tag)) continue;
    if (closing) {
      if (in[tag] == 0) continue;  // closes nothing: ignored
      GumboTag top;
      do {  // closes it and what was opened after it
        top = open.back();
        open.pop_back();
        --in[top];
        if (top == GUMBO_TAG_SVG || top == GUMBO_TAG_MATH) --foreign;
      } while (top != tag);
      continue;
    }
    if (self_closing && foreign > 0) continue;
    if (IsRawText(tag)) {
      const size_t close = FindEndTag(html, name, pos);
      if (close == std::string_view::npos) break;
      pos = close;
      continue;
    }
    open.push_back(tag);
    ++in[tag];
    if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH) ++foreign;
    nesting.work += open.size();
    if (open.size() > kMaxHtmlDepth) {
      nesting.depth = kMaxHtmlDepth + 1;
      return nesting;
    }
    if (nesting.work > kMaxHtmlNestingWork) break;
  }
  nesting.depth = open.size();
  return nesting;
}

HtmlText ExtractHtmlText(std::string_view html) {
  HtmlText result;
  // A cheap pass first: gumbo's time grows with the square of the nesting depth.
  const HtmlNesting nesting = MeasureHtmlNesting(html);
  if (nesting.depth > kMaxHtmlDepth) {
    result.too_deep = true;
    return result;
  }
  if (nesting.work > kMaxHtmlNestingWork) {
    result.too_much_nesting = true;
    return result;
  }
  // No parse errors recorded: each copies the stack of open elements (quadratic on a
  // page of unclosed tags), and nothing here reads them.
  static const GumboOptions kOptions = [] {
    GumboOptions o = kGumboDefaultOptions;
    o.max_errors = 0;
    return o;
  }();
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&kOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kOptions, o); });
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
