#include "stages/tagging/tagging_probe.h"

namespace ingestd {
namespace {

constexpr std::array<const char*, 5> kTagTypes{"organization", "person", "country", "place", "topic"};

prometheus::Registry& Pick(prometheus::Registry* given, std::shared_ptr<prometheus::Registry>& own) {
  if (given) return *given;
  own = std::make_shared<prometheus::Registry>();
  return *own;
}

prometheus::Gauge& NewGauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

TaggingProbe::TaggingProbe(prometheus::Registry* registry)
    : reloads_(prometheus::BuildCounter()
                   .Name("ingestd_tagging_reloads_total")
                   .Help("Taxonomy reloads that took effect.")
                   .Register(Pick(registry, own_))
                   .Add({})),
      reload_failures_(prometheus::BuildCounter()
                           .Name("ingestd_tagging_reload_failures_total")
                           .Help("Taxonomy reloads rejected (invalid taxonomy); the previous one stays in use.")
                           .Register(registry ? *registry : *own_)
                           .Add({})),
      info_family_(prometheus::BuildGauge()
                       .Name("ingestd_tagging_taxonomy_info")
                       .Help("The taxonomy in use: 1, labelled with its version (a hash of its files).")
                       .Register(registry ? *registry : *own_)),
      entities_(NewGauge(registry ? *registry : *own_, "ingestd_tagging_taxonomy_entities",
                         "Entities and topics in the taxonomy in use.")),
      patterns_(
          NewGauge(registry ? *registry : *own_, "ingestd_tagging_taxonomy_patterns",
                   "Literal patterns (alias spelling variants) in the taxonomy's Hyperscan databases, all of them.")),
      database_bytes_(NewGauge(registry ? *registry : *own_, "ingestd_tagging_taxonomy_database_bytes",
                               "Size of the taxonomy's Hyperscan databases, summed.")),
      compile_seconds_(NewGauge(registry ? *registry : *own_, "ingestd_tagging_taxonomy_compile_seconds",
                                "Time taken to load and compile the taxonomy in use.")) {
  auto& tags = prometheus::BuildCounter()
                   .Name("ingestd_tagging_tags_total")
                   .Help("Tags attached to articles, by taxonomy type.")
                   .Register(registry ? *registry : *own_);
  for (size_t i = 0; i < kTagTypes.size(); ++i) tags_by_type_[i] = &tags.Add({{"type", kTagTypes[i]}});
}

void TaggingProbe::Tagged(const std::vector<Tag>& tags) {
  for (const Tag& tag : tags) {
    for (size_t i = 0; i < kTagTypes.size(); ++i) {
      if (tag.type == kTagTypes[i]) {
        tags_by_type_[i]->Increment();
        break;
      }
    }
  }
}

void TaggingProbe::Loaded(const std::string& version, double entities, double patterns, double database_bytes,
                          double compile_seconds) {
  if (info_) info_family_.Remove(info_);
  info_ = &info_family_.Add({{"version", version}});
  info_->Set(1);
  entities_.Set(entities);
  patterns_.Set(patterns);
  database_bytes_.Set(database_bytes);
  compile_seconds_.Set(compile_seconds);
}

}  // namespace ingestd
