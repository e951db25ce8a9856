#include "daemon/effective_config.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "daemon/kafka_properties.h"

namespace ingestd {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Str(Writer& w, std::string_view k, std::string_view v) {
  Key(w, k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void Int(Writer& w, std::string_view k, int64_t v) {
  Key(w, k);
  w.Int64(v);
}
void Bool(Writer& w, std::string_view k, bool v) {
  Key(w, k);
  w.Bool(v);
}
void List(Writer& w, std::string_view k, const std::vector<std::string>& v) {
  Key(w, k);
  w.StartArray();
  for (const auto& s : v) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}
void Properties(Writer& w, std::string_view k, const std::map<std::string, std::string>& props) {
  Key(w, k);
  w.StartObject();
  for (const auto& [name, value] : props) Str(w, name, IsSecretProperty(name) ? std::string_view(kRedacted) : value);
  w.EndObject();
}

}  // namespace

std::string EffectiveConfigJson(const Config& c) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  Str(w, "file", c.file);

  Key(w, "input");
  w.StartObject();
  Int(w, "max_record_bytes", c.input.max_record_bytes);
  Str(w, "invalid_utf8", c.input.repair_invalid_utf8 ? "repair" : "reject");
  Int(w, "max_json_depth", c.input.max_json_depth);
  w.EndObject();

  Key(w, "kafka");
  w.StartObject();
  Str(w, "brokers", c.kafka.brokers);
  Str(w, "group_id", c.kafka.group_id);
  Key(w, "topics");
  w.StartObject();
  Str(w, "input", c.kafka.topics.input);
  Str(w, "enriched", c.kafka.topics.enriched);
  Str(w, "duplicates", c.kafka.topics.duplicates);
  Str(w, "dead_letter", c.kafka.topics.dead_letter);
  Str(w, "dedupe_index", c.kafka.topics.dedupe_index);
  w.EndObject();
  Properties(w, "consumer", c.kafka.consumer);
  Properties(w, "producer", c.kafka.producer);
  w.EndObject();

  Key(w, "runtime");
  w.StartObject();
  Int(w, "workers", c.runtime.workers);
  Int(w, "max_inflight_records", c.runtime.max_inflight_records);
  Int(w, "max_inflight_bytes", c.runtime.max_inflight_bytes);
  Int(w, "pause_after_ms", c.runtime.pause_after_ms);
  Int(w, "drain_timeout_ms", c.runtime.drain_timeout_ms);
  Int(w, "shutdown_grace_ms", c.runtime.shutdown_grace_ms);
  Int(w, "commit_interval_ms", c.runtime.commit_interval_ms);
  w.EndObject();

  Key(w, "admin");
  w.StartObject();
  Str(w, "address", c.admin.address);
  Int(w, "port", c.admin.port);
  Bool(w, "tap", c.admin.tap);
  w.EndObject();

  Key(w, "logging");
  w.StartObject();
  Str(w, "level", c.logging.level);
  Str(w, "format", c.logging.format);
  Int(w, "progress_interval_ms", c.logging.progress_interval_ms);
  w.EndObject();

  Key(w, "pipeline");
  w.StartObject();
  List(w, "stages", c.pipeline.stages);
  w.EndObject();

  Key(w, "normalize");
  w.StartObject();
  List(w, "extra_tracking_params", c.normalize.extra_tracking_params);
  Bool(w, "debug_removed_lines", c.normalize.debug_removed_lines);
  // boilerplate_rules_dir / _file / inline rules, as the rules they produced.
  Key(w, "boilerplate_rules");
  w.StartArray();
  for (const auto& rule : c.normalize.boilerplate_rules) {
    w.StartObject();
    Str(w, "id", rule.id);
    Str(w, "pattern", rule.pattern);
    Str(w, "action",
        rule.action == BoilerplateRule::Action::kCut     ? "cut"
        : rule.action == BoilerplateRule::Action::kBreak ? "break"
                                                         : "drop");
    Str(w, "origin", rule.origin);
    w.EndObject();
  }
  w.EndArray();
  Bool(w, "drop_repeated_lines", c.normalize.drop_repeated_lines);
  Int(w, "min_segment_bytes", c.normalize.min_segment_bytes);
  Key(w, "learner");
  w.StartObject();
  Bool(w, "enabled", c.normalize.learner.enabled);
  Int(w, "min_articles", c.normalize.learner.min_articles);
  Key(w, "min_share");
  w.Double(c.normalize.learner.min_share);
  Int(w, "half_life_hours", c.normalize.learner.half_life_hours);
  Int(w, "max_sources", c.normalize.learner.max_sources);
  Int(w, "max_lines_per_source", c.normalize.learner.max_lines_per_source);
  Int(w, "max_line_bytes", c.normalize.learner.max_line_bytes);
  Str(w, "snapshot", c.normalize.learner.snapshot);
  w.EndObject();
  w.EndObject();

  Key(w, "dedupe");
  w.StartObject();
  Int(w, "window_hours", c.dedupe.window_hours);
  Int(w, "memory_budget_bytes", c.dedupe.memory_budget_bytes);
  List(w, "route_to_duplicates", c.dedupe.route_to_duplicates);
  Key(w, "near_containment");
  w.Double(c.dedupe.near_containment);
  Int(w, "min_samples", c.dedupe.min_samples);
  Int(w, "min_shingles", c.dedupe.min_shingles);
  Int(w, "shingle_words", c.dedupe.shingle_words);
  Int(w, "shingle_cjk_chars", c.dedupe.shingle_cjk_chars);
  Int(w, "shingle_thai_chars", c.dedupe.shingle_thai_chars);
  Int(w, "story_window_hours", c.dedupe.story_window_hours);
  Key(w, "story_min_overlap");
  w.Double(c.dedupe.story_min_overlap);
  Int(w, "story_min_shared", c.dedupe.story_min_shared);
  Key(w, "story_max_term_share");
  w.Double(c.dedupe.story_max_term_share);
  Str(w, "snapshot_file", c.dedupe.snapshot_file);
  w.EndObject();

  Key(w, "language");
  w.StartObject();
  Int(w, "max_sample_bytes", c.language.max_sample_bytes);
  w.EndObject();

  Key(w, "tagging");
  w.StartObject();
  Str(w, "taxonomy_dir", c.tagging.taxonomy_dir);
  Str(w, "generated_dir", c.tagging.generated_dir);
  Int(w, "max_mentions_per_tag", c.tagging.max_mentions_per_tag);
  w.EndObject();

  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

}  // namespace ingestd
