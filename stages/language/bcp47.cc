#include "stages/language/bcp47.h"

namespace ingestd::language {

std::string ToBcp47(std::string_view code) {
  if (code.empty() || code == "un" || code.starts_with("xx")) return {};
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  if (code == "in") return "id";
  if (code == "ji") return "yi";
  if (code == "mo") return "ro";
  if (code == "tl") return "fil";
  if (code == "zhT") return "zh-Hant";
  return std::string(code);
}

}  // namespace ingestd::language
