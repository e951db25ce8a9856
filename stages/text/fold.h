// Folding for matching: the view that dedupe and tagging compare on.
//
//  - Unicode NFKC-style compatibility decomposition and case folding (utf8proc),
//    with combining marks removed (diacritics, Arabic harakat) and default-ignorable
//    characters dropped (ZWJ, ZWNJ, soft hyphen);
//  - Arabic-script letter variants unified: ي ى ی -> ي, ك ک -> ك, ة -> ه, hamza
//    carriers -> bare letter, tatweel removed;
//  - apostrophes, backticks and modifier letters -> ', dashes and minus -> -, every
//    space -> ' ', typographic quotes -> ".
//
// Each folded byte maps back to the byte offset of the original character, so a
// match in the folded view is reported at the right place in the original text.
// Thread-safe, no state.
#pragma once

#include <string_view>

#include "stages/text/folded_text.h"

namespace ingestd {

[[nodiscard]] FoldedText Fold(std::string_view utf8);

// Folds one code point into out (0 to 4 code points); exposed for tests and for
// the tagging stage, which folds its aliases the same way.
void FoldCodePoint(int32_t cp, std::u32string& out);

}  // namespace ingestd
