// Unicode hygiene for scraped text: NFC, control and zero-width characters out
// (ZWNJ kept: Persian and other scripts need it), spaces collapsed, line breaks
// normalized with paragraph breaks kept. Input must be valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace ingestd {

[[nodiscard]] std::string CleanText(std::string_view utf8);

}  // namespace ingestd
