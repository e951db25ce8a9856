// ingestd's configuration: YAML turned once into typed, validated, immutable
// structs. Every key is documented in docs/configuration.md.
//
// LoadConfig() runs on the control thread at start-up (and on reload); the result
// is shared read-only as std::shared_ptr<const Config>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/dedupe_config.h"
#include "config/language_config.h"
#include "config/normalize_config.h"
#include "config/tagging_config.h"

namespace ingestd {

struct InputConfig {
  int64_t max_record_bytes = 4 << 20;  // larger values are dead-lettered
  bool repair_invalid_utf8 = true;     // false: dead-letter invalid UTF-8
  int64_t max_json_depth = 32;
};

struct KafkaTopics {
  std::string input = "articles.raw";
  std::string enriched = "articles.enriched";
  std::string duplicates = "articles.duplicates";
  std::string dead_letter = "articles.dead-letter";
  std::string dedupe_index = "ingestd.dedupe-index";
};

struct KafkaConfig {
  std::string brokers;
  std::string group_id = "ingestd";
  KafkaTopics topics;
  std::map<std::string, std::string> consumer;  // librdkafka properties, passed through
  std::map<std::string, std::string> producer;
};

struct RuntimeConfig {
  int workers = 2;
  int64_t max_inflight_records = 10000;
  int64_t max_inflight_bytes = 256 << 20;
  int64_t pause_after_ms = 1000;  // the bound held this long: pause the partitions
  int64_t drain_timeout_ms = 20000;
  int64_t shutdown_grace_ms = 30000;
  int64_t commit_interval_ms = 1000;  // stored offsets are committed at least this often
};

struct AdminConfig {
  std::string address = "127.0.0.1";
  int port = 9464;
  bool tap = false;
};

struct LoggingConfig {
  std::string level = "info";
  std::string format = "text";  // text | json
  // `run` logs a "progress" line this often (0: never), and a "summary" line at exit.
  int64_t progress_interval_ms = 60000;
};

struct PipelineConfig {
  std::vector<std::string> stages{"normalize", "dedupe", "language", "tagging"};
};

struct Config {
  std::string file;  // where it was loaded from
  InputConfig input;
  KafkaConfig kafka;
  RuntimeConfig runtime;
  AdminConfig admin;
  LoggingConfig logging;
  PipelineConfig pipeline;
  NormalizeConfig normalize;
  DedupeConfig dedupe;
  LanguageConfig language;
  TaggingConfig tagging;
};

// Reads and validates FILE, then applies "key.path=value" overrides in order.
// Throws ConfigError (config/reader.h) with the file, key path and expectation.
[[nodiscard]] std::shared_ptr<const Config> LoadConfig(const std::string& file,
                                                       const std::vector<std::string>& overrides = {});

// Same, from YAML text (tests); `name` stands in for the file name in errors.
[[nodiscard]] std::shared_ptr<const Config> ParseConfig(const std::string& yaml, const std::string& name,
                                                        const std::vector<std::string>& overrides = {});

// The stage names the pipeline knows.
[[nodiscard]] const std::vector<std::string>& KnownStages();

}  // namespace ingestd
