#include "config/language_config.h"

#include "config/reader.h"

namespace ingestd {

void ParseLanguageConfig(ConfigNode& node, LanguageConfig& out) {
  out.max_sample_bytes = node.Int("max_sample_bytes", out.max_sample_bytes, 256, 1 << 24);
  node.Done();
}

}  // namespace ingestd
