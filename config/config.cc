#include "config/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/reader.h"

namespace ingestd {
namespace {

void ParseInput(ConfigNode n, InputConfig& out) {
  out.max_record_bytes = n.Int("max_record_bytes", out.max_record_bytes, 1024, int64_t{1} << 30);
  out.repair_invalid_utf8 =
      n.Enum("invalid_utf8", out.repair_invalid_utf8 ? "repair" : "reject", {"repair", "reject"}) == "repair";
  out.max_json_depth = n.Int("max_json_depth", out.max_json_depth, 2, 1024);
  n.Done();
}

void ParseKafka(ConfigNode n, KafkaConfig& out) {
  out.brokers = n.String("brokers", out.brokers);
  out.group_id = n.String("group_id", out.group_id);
  if (out.group_id.empty()) n.Fail("group_id", "must not be empty (the consumer group's name)");
  ConfigNode t = n.Child("topics");
  out.topics.input = t.String("input", out.topics.input);
  out.topics.enriched = t.String("enriched", out.topics.enriched);
  out.topics.duplicates = t.String("duplicates", out.topics.duplicates);
  out.topics.dead_letter = t.String("dead_letter", out.topics.dead_letter);
  out.topics.dedupe_index = t.String("dedupe_index", out.topics.dedupe_index);
  t.Done();
  out.consumer = n.StringMap("consumer");
  out.producer = n.StringMap("producer");
  n.Done();
}

void ParseRuntime(ConfigNode n, RuntimeConfig& out) {
  out.workers = static_cast<int>(n.Int("workers", out.workers, 1, 256));
  out.max_inflight_records = n.Int("max_inflight_records", out.max_inflight_records, 1, 10'000'000);
  out.max_inflight_bytes = n.Int("max_inflight_bytes", out.max_inflight_bytes, 1 << 20, int64_t{1} << 40);
  out.pause_after_ms = n.Int("pause_after_ms", out.pause_after_ms, 0, 60'000);
  out.drain_timeout_ms = n.Int("drain_timeout_ms", out.drain_timeout_ms, 0, 3'600'000);
  out.shutdown_grace_ms = n.Int("shutdown_grace_ms", out.shutdown_grace_ms, 0, 3'600'000);
  out.commit_interval_ms = n.Int("commit_interval_ms", out.commit_interval_ms, 10, 600'000);
  n.Done();
}

void ParseAdmin(ConfigNode n, AdminConfig& out) {
  out.address = n.String("address", out.address);
  out.port = static_cast<int>(n.Int("port", out.port, 0, 65535));
  out.tap = n.Bool("tap", out.tap);
  n.Done();
}

void ParseLogging(ConfigNode n, LoggingConfig& out) {
  out.level = n.Enum("level", out.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  out.format = n.Enum("format", out.format, {"text", "json"});
  out.progress_interval_ms = n.Int("progress_interval_ms", out.progress_interval_ms, 0, 86'400'000);
  // The line is written from a timer that ticks every second.
  if (out.progress_interval_ms > 0 && out.progress_interval_ms < 1000) {
    n.Fail("progress_interval_ms", "must be 0 (no progress lines) or at least 1000");
  }
  n.Done();
}

void ParsePipeline(ConfigNode n, PipelineConfig& out) {
  out.stages = n.StringList("stages", out.stages);
  std::vector<std::string> seen;
  for (const auto& s : out.stages) {
    bool known = false;
    for (const auto& k : KnownStages()) known |= (k == s);
    if (!known) {
      std::string list;
      for (const auto& k : KnownStages()) list += (list.empty() ? "" : ", ") + k;
      n.Fail("stages", "unknown stage \"" + s + "\" (known: " + list + ")");
    }
    for (const auto& p : seen) {
      if (p == s) n.Fail("stages", "stage \"" + s + "\" listed twice");
    }
    seen.push_back(s);
  }
  n.Done();
}

std::shared_ptr<const Config> Build(YAML::Node root, const std::string& name,
                                    const std::vector<std::string>& overrides) {
  // librdkafka property names hold dots: "kafka.producer.linger.ms=50" sets linger.ms.
  static const std::vector<std::string> kPropertyMaps{"kafka.consumer", "kafka.producer"};
  for (const auto& o : overrides) ApplyOverride(root, o, kPropertyMaps);
  auto file = std::make_shared<const std::string>(name);
  ConfigNode top(root, "", file);
  auto config = std::make_shared<Config>();
  config->file = name;
  ParseInput(top.Child("input"), config->input);
  ParseKafka(top.Child("kafka"), config->kafka);
  ParseRuntime(top.Child("runtime"), config->runtime);
  ParseAdmin(top.Child("admin"), config->admin);
  ParseLogging(top.Child("logging"), config->logging);
  ParsePipeline(top.Child("pipeline"), config->pipeline);
  {
    ConfigNode n = top.Child("normalize");
    ParseNormalizeConfig(n, config->normalize);
  }
  {
    ConfigNode n = top.Child("dedupe");
    ParseDedupeConfig(n, config->dedupe);
  }
  {
    ConfigNode n = top.Child("language");
    ParseLanguageConfig(n, config->language);
  }
  {
    ConfigNode n = top.Child("tagging");
    ParseTaggingConfig(n, config->tagging);
    std::filesystem::path dir(config->tagging.taxonomy_dir);
    if (dir.is_relative()) {
      config->tagging.taxonomy_dir = (std::filesystem::path(name).parent_path() / dir).lexically_normal().string();
    }
  }
  top.Done();
  return config;
}

}  // namespace

const std::vector<std::string>& KnownStages() {
  static const std::vector<std::string> kStages{"normalize", "dedupe", "language", "tagging"};
  return kStages;
}

std::shared_ptr<const Config> ParseConfig(const std::string& yaml, const std::string& name,
                                          const std::vector<std::string>& overrides) {
  YAML::Node root = LoadYamlDocument(yaml, name);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  try {
    return Build(root, name, overrides);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ": " + e.what());
  }
}

std::shared_ptr<const Config> LoadConfig(const std::string& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file + ": cannot open config file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), file, overrides);
}

}  // namespace ingestd
