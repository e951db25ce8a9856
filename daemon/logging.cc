#include "daemon/logging.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <tuple>

#include "stages/text/utf8.h"

namespace ingestd {
namespace {

// The fields of the line being logged on this thread. The loggers are synchronous,
// so a formatter runs on the thread that called Log(), while the fields are alive.
thread_local const LogFields* tls_fields = nullptr;

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  if (*p < 0x80) return 1;
  int32_t cp = 0;
  return DecodeUtf8(p, s.size() - i, cp);
}

void Append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7F) return true;
  }
  return false;
}

// `%*` in the text pattern: " key=value" per field, values quoted when needed.
class TextFieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (!tls_fields) return;
    std::string buf;
    for (const auto& f : *tls_fields) {
      buf.clear();
      buf += ' ';
      buf += f.key;
      buf += '=';
      if (NeedsQuotes(f.value)) {
        AppendJsonString(f.value, buf);
      } else {
        buf += f.value;
      }
      Append(dest, buf);
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<TextFieldsFlag>(); }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(128 + msg.payload.size());
    const auto t = msg.time;
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char ts[64];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms < 0 ? ms + 1000 : ms));
    line += "{\"time\":\"";
    line += ts;
    line += "\",\"level\":\"";
    line += LevelName(msg.level);
    line += "\",\"logger\":";
    AppendJsonString(std::string_view(msg.logger_name.data(), msg.logger_name.size()), line);
    line += ",\"thread\":";
    line += std::to_string(msg.thread_id);
    line += ",\"msg\":";
    AppendJsonString(std::string_view(msg.payload.data(), msg.payload.size()), line);
    if (tls_fields) {
      for (const auto& f : *tls_fields) {
        line += ',';
        AppendJsonString(f.key, line);
        line += ':';
        if (f.number) {
          line += f.value;
        } else {
          AppendJsonString(f.value, line);
        }
      }
    }
    line += "}\n";
    Append(dest, line);
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::string JsonEscape(std::string_view text) {
  std::string quoted;
  AppendJsonString(text, quoted);
  return quoted.substr(1, quoted.size() - 2);
}

std::unique_ptr<spdlog::formatter> MakeJsonFormatter() { return std::make_unique<JsonFormatter>(); }

std::shared_ptr<spdlog::logger> SetUpLogging(const LoggingConfig& config, spdlog::sink_ptr sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ingestd", sink);
  if (config.format == "json") {
    logger->set_formatter(MakeJsonFormatter());
  } else {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<TextFieldsFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v%*");
    logger->set_formatter(std::move(f));
  }
  logger->set_level(spdlog::level::from_str(config.level));
  // Every line reaches the sink at once: a crash must not eat the last lines, and
  // tests and operators read the start-up lines (the admin port) as they come.
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return logger;
}

void Log(spdlog::level::level_enum level, std::string_view message, const LogFields& fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  tls_fields = fields.empty() ? nullptr : &fields;
  logger->log(level, "{}", message);
  tls_fields = nullptr;
}

RecordWarnings::RecordWarnings(const Clock& clock, int burst, std::chrono::milliseconds window)
    : clock_(clock), burst_(burst), window_(window) {}

bool RecordWarnings::Warn(std::string_view key, std::string_view message, LogFields fields) {
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      // Keys are meant to be bounded; if a caller passes unbounded ones, cap the
      // memory and share one bucket rather than grow.
      const std::string k = buckets_.size() < kMaxKeys ? std::string(key) : std::string("other");
      bool inserted = false;
      std::tie(it, inserted) = buckets_.try_emplace(k);
      if (inserted) it->second.window_start = clock_.Now();
    }
    Bucket& b = it->second;
    const auto now = clock_.Now();
    if (now - b.window_start >= window_) {
      b.window_start = now;
      b.logged = 0;
    }
    if (b.logged >= burst_) {
      ++b.suppressed;
      return false;
    }
    ++b.logged;
    suppressed = b.suppressed;
    b.suppressed = 0;
  }
  fields.push_back({"key", std::string(key)});
  if (suppressed > 0) fields.push_back(LogField::Int("suppressed", static_cast<int64_t>(suppressed)));
  Log(spdlog::level::warn, message, fields);
  return true;
}

int RecordWarnings::ReportSuppressed() {
  std::vector<std::pair<std::string, uint64_t>> pending;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, b] : buckets_) {
      if (b.suppressed > 0) pending.emplace_back(key, b.suppressed);
      b.suppressed = 0;
    }
  }
  for (const auto& [key, n] : pending) {
    Log(spdlog::level::warn, "similar warnings suppressed",
        {{"key", key}, LogField::Int("suppressed", static_cast<int64_t>(n))});
  }
  return static_cast<int>(pending.size());
}

uint64_t RecordWarnings::Suppressed(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  return it == buckets_.end() ? 0 : it->second.suppressed;
}

}  // namespace ingestd
