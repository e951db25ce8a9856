// Keys under `tagging:`. Parsed by ParseTaggingConfig (tagging_config.cc).
#pragma once

#include <string>

namespace ingestd {

class ConfigNode;

struct TaggingConfig {
  // Directory of taxonomy YAML files; relative paths are resolved against the
  // config file's directory.
  std::string taxonomy_dir = "taxonomy";
};

void ParseTaggingConfig(ConfigNode& node, TaggingConfig& out);

}  // namespace ingestd
