// CLD2 language codes to modern BCP 47.
#pragma once

#include <string>
#include <string_view>

namespace ingestd::language {

// "iw" -> "he", "jw" -> "jv", "in" -> "id", "ji" -> "yi", "mo" -> "ro", "zh-Hant" stays,
// CLD2's "un"/"xx-*" -> "" (unknown). Other codes are already BCP 47.
[[nodiscard]] std::string ToBcp47(std::string_view cld2_code);

}  // namespace ingestd::language
