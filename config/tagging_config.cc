#include "config/tagging_config.h"

#include "config/reader.h"

namespace ingestd {

void ParseTaggingConfig(ConfigNode& node, TaggingConfig& out) {
  out.taxonomy_dir = node.String("taxonomy_dir", out.taxonomy_dir);
  node.Done();
}

}  // namespace ingestd
