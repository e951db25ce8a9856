#include "stages/tagging/traditional_chinese.h"

#include <opencc/opencc.h>

#include <algorithm>
#include <stdexcept>

namespace ingestd {

TraditionalChinese::TraditionalChinese() {
  converters_.reserve(3);  // no allocation between an open and its push_back
  for (const char* config : {"s2t.json", "s2tw.json", "s2hk.json"}) {
    opencc_t converter = opencc_open(config);
    if (converter == reinterpret_cast<opencc_t>(-1)) {
      const std::string why = opencc_error();
      for (void* c : converters_) opencc_close(static_cast<opencc_t>(c));
      throw std::runtime_error(std::string("Traditional Chinese forms of the taxonomy: OpenCC cannot open ") + config +
                               ": " + why + " (Debian package libopencc-data)");
    }
    converters_.push_back(converter);
  }
}

TraditionalChinese::~TraditionalChinese() {
  for (void* c : converters_) opencc_close(static_cast<opencc_t>(c));
}

std::vector<std::string> TraditionalChinese::FormsOf(std::string_view simplified) const {
  std::vector<std::string> forms;
  for (void* c : converters_) {
    char* converted = opencc_convert_utf8(static_cast<opencc_t>(c), simplified.data(), simplified.size());
    if (converted == nullptr) continue;
    std::string form(converted);
    opencc_convert_utf8_free(converted);
    if (form != simplified && std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(form);
  }
  return forms;
}

}  // namespace ingestd
