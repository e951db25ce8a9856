// HTML extraction (normalize's ExtractHtmlText, gumbo) over arbitrary markup.
// Oracle: the extracted title and text are valid UTF-8 when the page was (the
// envelope guarantees it was).
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/envelope.h"
#include "stages/normalize/html_text.h"
#include "stages/text/utf8.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string html;
  ingestd::RepairUtf8(std::string_view(reinterpret_cast<const char*>(data), size), html);
  const ingestd::HtmlText out = ingestd::ExtractHtmlText(html);
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(out.text.data(), out.text.size()));
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(out.title.data(), out.title.size()));
  return 0;
}
