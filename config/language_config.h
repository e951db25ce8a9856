// Keys under `language:`. Parsed by ParseLanguageConfig (language_config.cc).
#pragma once

#include <cstdint>

namespace ingestd {

class ConfigNode;

struct LanguageConfig {
  // Bytes of text given to the detector at most; longer texts are sampled. CLD2 costs
  // about 30 us per KB: 1 KiB keeps the stage near 60 us per article.
  int64_t max_sample_bytes = 1024;
};

void ParseLanguageConfig(ConfigNode& node, LanguageConfig& out);

}  // namespace ingestd
