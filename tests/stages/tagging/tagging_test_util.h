// Helpers shared by the tagging tests: the default taxonomy (compiled once per
// test binary), temporary taxonomy directories, tag id lists.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/tagging_config.h"
#include "stages/tagging/compiled_taxonomy.h"
#include "stages/tagging/tagging_stage.h"
#include "stages/text/fold.h"
#include "tests/test_paths.h"

namespace ingestd::testing {

inline std::string DefaultTaxonomyDir() { return SourceDir() + "/config/taxonomy"; }

inline const Taxonomy& DefaultTaxonomySource() {
  static const Taxonomy* t = new Taxonomy(LoadTaxonomy(DefaultTaxonomyDir(), DefaultGeneratedTaxonomyDir()));
  return *t;
}

inline const CompiledTaxonomy& DefaultTaxonomy() {
  static const auto* t = new std::shared_ptr<const CompiledTaxonomy>(CompileTaxonomy(DefaultTaxonomySource()));
  return **t;
}

inline Article MakeArticle(const std::string& text, const std::string& title = "") {
  Article a;
  a.title = title;
  a.text = text;
  a.folded_title = Fold(title);
  a.folded_text = Fold(text);
  return a;
}

inline std::vector<Tag> TagsOf(const std::string& text, const std::string& title = "") {
  return DefaultTaxonomy().Match(MakeArticle(text, title), 20);
}

inline std::set<std::string> IdsOf(const std::string& text, const std::string& title = "") {
  std::set<std::string> ids;
  for (const auto& t : TagsOf(text, title)) ids.insert(t.id);
  return ids;
}

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ingestd-tagging-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream(path_ / name, std::ios::binary | std::ios::trunc) << contents;
  }
  [[nodiscard]] std::string path() const { return path_.string(); }
  [[nodiscard]] std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ingestd::testing
