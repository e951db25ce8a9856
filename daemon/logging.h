// Process logging: spdlog set up once from `logging.*`, as text or as JSON lines
// (one object per line, for log shippers), plus a rate limiter for warnings that
// fire per record, so a flood of bad input cannot flood the logs.
//
// Lifecycle: SetUpLogging() runs once on the main thread before any other thread
// starts (it replaces spdlog's default logger). Log() and RecordWarnings are then
// safe from any thread.
#pragma once

#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "stages/clock.h"

namespace ingestd {

// A structured field: a top-level key in JSON lines, ` key=value` in text.
struct LogField {
  std::string_view key;
  std::string value;
  bool number = false;  // value is a JSON number: written unquoted in JSON lines

  static LogField Int(std::string_view key, int64_t v) { return {key, std::to_string(v), true}; }
};
using LogFields = std::vector<LogField>;

// Installs the default logger: stderr (or `sink`, for tests), level and format
// from config. Returns the logger it installed.
std::shared_ptr<spdlog::logger> SetUpLogging(const LoggingConfig& config, spdlog::sink_ptr sink = nullptr);

// One log line with structured fields, on the default logger.
void Log(spdlog::level::level_enum level, std::string_view message, const LogFields& fields = {});

// The JSON lines formatter: {"time":"2026-11-21T05:00:00.123Z","level":"warn","logger":"ingestd",
// "thread":123,"msg":"...",<fields>}. Invalid UTF-8 in a message becomes U+FFFD, so every line parses.
// Fields come from Log() on the same thread (the loggers are synchronous).
[[nodiscard]] std::unique_ptr<spdlog::formatter> MakeJsonFormatter();

// Appends `s` to `out` as a JSON string literal (quoted, escaped, UTF-8 repaired).
void AppendJsonString(std::string_view s, std::string& out);
// `text` escaped for a JSON string, without the quotes.
[[nodiscard]] std::string JsonEscape(std::string_view text);

// Rate limit for warnings about individual records (dead letters, repaired input):
// at most `burst` lines per key per `window`; the rest are counted, and the next line
// logged for that key says how many were suppressed (field `suppressed`). Keys are
// bounded codes such as "normalize/empty_text", never record content; past
// kMaxKeys distinct keys, new keys share one bucket.
//
// Thread-safe: called from worker threads. The metrics count every record; the
// logs show examples.
class RecordWarnings {
 public:
  static constexpr size_t kMaxKeys = 256;

  RecordWarnings(const Clock& clock, int burst = 10, std::chrono::milliseconds window = std::chrono::seconds(10));

  // Logs a warning unless the key's budget for this window is spent. Returns true
  // when it logged.
  bool Warn(std::string_view key, std::string_view message, LogFields fields = {});

  // Logs one line per key with suppressed warnings not yet reported, then forgets
  // them (call on shutdown or from a periodic timer). Returns the lines logged.
  int ReportSuppressed();

  // Suppressed so far for `key` and not yet reported (tests, diagnostics).
  [[nodiscard]] uint64_t Suppressed(std::string_view key) const;

 private:
  struct Bucket {
    std::chrono::system_clock::time_point window_start;
    int logged = 0;
    uint64_t suppressed = 0;
  };
  const Clock& clock_;
  const int burst_;
  const std::chrono::milliseconds window_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // guarded by mu_
};

}  // namespace ingestd
