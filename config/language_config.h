// Keys under `language:`. Parsed by ParseLanguageConfig (language_config.cc).
#pragma once

#include <cstdint>

namespace ingestd {

class ConfigNode;

struct LanguageConfig {
  // Bytes of text given to the detector at most; longer texts are sampled.
  int64_t max_sample_bytes = 8192;
};

void ParseLanguageConfig(ConfigNode& node, LanguageConfig& out);

}  // namespace ingestd
