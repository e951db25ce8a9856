// Traditional Chinese spellings of names the taxonomy lists in Simplified Chinese.
//
// Taiwan, Hong Kong and Macau media, and many Telegram channels, write Traditional
// characters: 伊斯蘭國 for 伊斯兰国, 喀布爾 for 喀布尔. Folding (fold.h) does not map one
// script to the other, so the compiled taxonomy matches those spellings as forms of
// the Simplified alias. The conversion is OpenCC's (Debian libopencc), character and
// phrase tables for standard Traditional (s2t), Taiwan (s2tw) and Hong Kong (s2hk)
// usage, not a table of our own. Not thread-safe; built for one taxonomy compile.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ingestd {

class TraditionalChinese {
 public:
  // Opens OpenCC's three configurations; throws std::runtime_error naming the one
  // that could not be read (libopencc-data missing).
  TraditionalChinese();
  ~TraditionalChinese();
  TraditionalChinese(const TraditionalChinese&) = delete;
  TraditionalChinese& operator=(const TraditionalChinese&) = delete;

  // The distinct Traditional spellings of `simplified` that differ from it (none for
  // a name written the same in both, like 塔利班).
  [[nodiscard]] std::vector<std::string> FormsOf(std::string_view simplified) const;

 private:
  std::vector<void*> converters_;  // opencc_t
};

}  // namespace ingestd
