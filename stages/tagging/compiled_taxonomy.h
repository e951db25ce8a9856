// A taxonomy compiled for matching: Hyperscan literal databases over the folded
// forms of every alias and keyword (ASCII names between word delimiters on a
// marked copy of the folded text, Cyrillic names reversed on a reversed copy, the
// other scripts on the folded text itself; plus a small one of the case-sensitive
// acronyms, matched on the original text as written), and what is needed to check
// each raw hit (word boundaries for its script, capitalization on the original
// text, context words) and to turn the surviving hits into tags. README.md here
// says why the views.
//
// Lifecycle: built by CompileTaxonomy() on the control thread (start-up, reload),
// then shared read-only as std::shared_ptr<const CompiledTaxonomy>; Match() is
// called concurrently from worker threads (each keeps its own Hyperscan scratch).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/tagging_config.h"
#include "stages/article.h"

struct hs_database;

namespace ingestd {

class CompiledTaxonomy {
 public:
  // What a pattern (one folded variant of one alias) needs at match time.
  struct Pattern {
    uint32_t entity = 0;
    uint32_t alias = 0;   // index into aliases_
    uint32_t length = 0;  // folded bytes
    uint8_t left = 0;     // Boundary of the first character
    uint8_t right = 0;    // Boundary of the last character
    uint8_t flags = 0;
    uint32_t form = 0;  // marked and reversed patterns: index into marked_forms_ (separators to check)
  };
  struct Alias {
    std::string text;  // as written in the taxonomy
    TaxonomyAlias::Case match_case = TaxonomyAlias::Case::kInsensitive;
    std::u32string letters;             // sensitive: the letters as written
    std::vector<std::string> near;      // folded
    std::vector<std::string> not_near;  // folded
    int window = 80;
  };
  struct Entity {
    std::string id, type, name, parent;
    bool topic = false;
  };
  struct Stats {
    size_t entities = 0;
    size_t patterns = 0;
    size_t database_bytes = 0;
    double compile_seconds = 0;
  };

  ~CompiledTaxonomy();
  CompiledTaxonomy(const CompiledTaxonomy&) = delete;
  CompiledTaxonomy& operator=(const CompiledTaxonomy&) = delete;

  // Tags for an article, from its folded views (computed here when the normalize
  // stage did not run). Sorted by relevance: entities named in the title first,
  // then by mention count, then by first mention.
  [[nodiscard]] std::vector<Tag> Match(const Article& article, size_t max_mentions) const;

  [[nodiscard]] const std::string& version() const { return version_; }
  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] const std::vector<Entity>& entities() const { return entities_; }

 private:
  friend std::shared_ptr<const CompiledTaxonomy> CompileTaxonomy(const Taxonomy& taxonomy);
  CompiledTaxonomy() = default;

  struct Hit;
  void Scan(const FoldedText& folded, const std::string& original, Mention::Field field, std::vector<Hit>& hits) const;

  hs_database* db_ = nullptr;           // folded non-ASCII aliases, scanned on the folded view
  hs_database* marked_db_ = nullptr;    // folded ASCII aliases between delimiters, on the marked view
  hs_database* reversed_db_ = nullptr;  // folded Cyrillic aliases, reversed, on the reversed view
  hs_database* original_db_ = nullptr;  // case-sensitive aliases, scanned on the original text
  uint64_t generation_ = 0;             // tells threads when their scratch must grow
  std::vector<Pattern> patterns_;
  std::vector<Alias> aliases_;
  std::vector<std::string> marked_forms_;  // folded forms of the marked and reversed patterns
  std::vector<Entity> entities_;
  std::string version_;
  Stats stats_;
};

// Compiles a loaded taxonomy. Throws ConfigError (config/reader.h) naming the file
// and entry when an alias cannot be matched (folds to nothing, or is shared by two
// hand-written entities) or Hyperscan rejects the set.
[[nodiscard]] std::shared_ptr<const CompiledTaxonomy> CompileTaxonomy(const Taxonomy& taxonomy);

}  // namespace ingestd
