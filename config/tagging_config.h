// Keys under `tagging:` (ParseTaggingConfig) and the taxonomy files the tagging
// stage matches (LoadTaxonomy). Both live here because only config/ reads YAML;
// the stage sees the typed Taxonomy below. The format is documented in
// docs/taxonomy.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ingestd {

class ConfigNode;

struct TaggingConfig {
  // Directory of taxonomy YAML files; relative paths are resolved against the
  // config file's directory.
  std::string taxonomy_dir = "taxonomy";
  // Directory of build-generated taxonomy files (countries.yaml, written by
  // scripts/gen_countries.py). Empty: the directory the build wrote them to
  // (<build>/taxonomy). Relative paths are resolved against the config file.
  std::string generated_dir;
  // Mentions listed per tag (the count still counts them all).
  int64_t max_mentions_per_tag = 20;
};

void ParseTaggingConfig(ConfigNode& node, TaggingConfig& out);

// One way of writing an entity's name.
struct TaxonomyAlias {
  std::string text;  // as written in the taxonomy
  std::string lang;  // language or script key it was listed under ("en", "ar", "zh")
  // insensitive: any case (the default); sensitive: only as written (acronyms:
  // IS, LeT, TIP); capitalized: the first letter must be upper case (Turkey, not
  // turkey; also TURKEY).
  enum class Case { kInsensitive, kSensitive, kCapitalized };
  Case match_case = Case::kInsensitive;
  // Context rules: words (word prefixes) of which at least one must / none may
  // occur within `window` characters of the mention, in the same field.
  std::vector<std::string> near;
  std::vector<std::string> not_near;
  int window = 80;
};

struct TaxonomyEntity {
  std::string id;    // "org/iskp"
  std::string type;  // organization | person | country | place | topic
  std::string name;
  std::string parent;                  // an entity id, or empty
  std::vector<TaxonomyAlias> aliases;  // for topics: the keywords
  std::string file;                    // where it was defined, for messages
  bool generated = false;              // from generated_dir (yields to hand-written entries)
};

struct Taxonomy {
  std::vector<TaxonomyEntity> entities;
  std::vector<std::string> files;  // files read, in order
  std::string version;             // 16 hex digits, a hash of the files' contents
};

// Reads every *.yaml file in `dir` (sorted by name), then every *.yaml file in
// `generated_dir` when it is not empty, and validates the structure: known keys,
// ids and types, unique ids, known parents without cycles, non-empty aliases.
// Throws ConfigError naming the file, the entry and the problem. (What needs the
// folded view, e.g. one alias on two entities, is checked when the stage
// compiles the taxonomy.)
[[nodiscard]] Taxonomy LoadTaxonomy(const std::string& dir, const std::string& generated_dir);

// One taxonomy file's text, for ParseTaxonomy.
struct TaxonomyFile {
  std::string path;  // named in messages; its file name goes into the version
  std::string contents;
  bool generated = false;  // its entries yield to hand-written ones
};

// LoadTaxonomy without the file system: parses and validates files already read,
// in the order given. Throws ConfigError like LoadTaxonomy.
[[nodiscard]] Taxonomy ParseTaxonomy(const std::vector<TaxonomyFile>& files);

// The type an id's prefix implies ("org/x" -> "organization"), or empty.
[[nodiscard]] std::string TaxonomyTypeOfId(const std::string& id);

}  // namespace ingestd
