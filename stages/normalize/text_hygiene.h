// Unicode hygiene for scraped text: NFC; control, bidi and zero-width characters
// out, except ZWNJ between letters of scripts that need it (Persian, Urdu, Indic)
// and ZWJ inside emoji and Indic sequences; every kind of horizontal space as one
// ' '; line breaks as '\n', blank-line runs as one paragraph break "\n\n"; lines
// trimmed. Typographic quotes and dashes are kept (the folded view unifies them).
// Input must be valid UTF-8 (the envelope decoder repairs or rejects). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ingestd {

[[nodiscard]] std::string CleanText(std::string_view utf8);

// True when NFC would leave the text unchanged (quick check: no combining marks,
// no composition exclusions or singletons, no conjoining jamo).
[[nodiscard]] bool IsNfcStable(std::string_view utf8);

}  // namespace ingestd
