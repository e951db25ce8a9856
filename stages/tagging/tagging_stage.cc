#include "stages/tagging/tagging_stage.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <vector>

#include "config/reader.h"
#include "stages/tagging/compiled_taxonomy.h"
#include "stages/tagging/tagging_probe.h"

namespace ingestd {
namespace {

// Threading: Process() runs on worker threads and only reads the current
// taxonomy (an atomic shared_ptr load); Reload() runs on the control thread,
// compiles the new taxonomy there, then swaps it in. A record being tagged keeps
// the taxonomy it started with.
class TaggingStage final : public Stage {
 public:
  TaggingStage(TaggingConfig config, const StageContext& context)
      : config_(std::move(config)), probe_(context.metrics) {
    if (config_.generated_dir.empty()) config_.generated_dir = DefaultGeneratedTaxonomyDir();
    std::atomic_store(&taxonomy_, Build());
  }

  std::string_view Name() const override { return "tagging"; }

  StageResult Process(Article& article) override {
    const std::shared_ptr<const CompiledTaxonomy> taxonomy = std::atomic_load(&taxonomy_);
    article.tags = taxonomy->Match(article, static_cast<size_t>(config_.max_mentions_per_tag));
    probe_.Tagged(*article.tags);
    return StageResult::Continue();
  }

  bool Reload(std::string* error) override {
    try {
      std::atomic_store(&taxonomy_, Build());
    } catch (const std::exception& e) {
      probe_.ReloadFailed();
      if (error) *error = e.what();
      return false;
    }
    probe_.Reloaded();
    return true;
  }

 private:
  std::shared_ptr<const CompiledTaxonomy> Build() {
    const auto t0 = std::chrono::steady_clock::now();
    auto compiled = CompileTaxonomy(LoadTaxonomy(config_.taxonomy_dir, config_.generated_dir));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& s = compiled->stats();
    probe_.Loaded(compiled->version(), static_cast<double>(s.entities), static_cast<double>(s.patterns),
                  static_cast<double>(s.database_bytes), seconds);
    return compiled;
  }

  TaggingConfig config_;
  TaggingProbe probe_;
  std::shared_ptr<const CompiledTaxonomy> taxonomy_;  // atomic_load / atomic_store only
};

}  // namespace

std::string DefaultGeneratedTaxonomyDir() {
  // The build tree first (development, tests), then where `cmake --install` and the
  // container image put it: <prefix>/share/ingestd/taxonomy beside <prefix>/bin.
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates{INGESTD_GENERATED_TAXONOMY_DIR};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/ingestd/taxonomy");
  candidates.emplace_back("/usr/local/share/ingestd/taxonomy");
  candidates.emplace_back("/usr/share/ingestd/taxonomy");
  for (const auto& dir : candidates) {
    if (fs::exists(dir / "countries.yaml", ec)) return dir.string();
  }
  return INGESTD_GENERATED_TAXONOMY_DIR;  // missing: start-up says so, naming tagging.generated_dir
}

std::unique_ptr<Stage> MakeTaggingStage(const TaggingConfig& config, const StageContext& context) {
  return std::make_unique<TaggingStage>(config, context);
}

}  // namespace ingestd
