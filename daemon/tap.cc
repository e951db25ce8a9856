#include "daemon/tap.h"

#include <charconv>

#include "daemon/logging.h"

namespace ingestd {

Tap::Tap(bool enabled, size_t capacity) : enabled_(enabled), capacity_(capacity) {}

void Tap::Record(const Processed& processed) {
  if (!enabled()) return;
  std::string line = "{\"output\":\"";
  line += OutputName(processed.output);
  line += '"';
  if (processed.output == Output::kDeadLetter) {
    line += ",\"stage\":";
    AppendJsonString(processed.dead_letter.stage, line);
    line += ",\"reason\":";
    AppendJsonString(processed.dead_letter.reason, line);
    line += ",\"message\":";
    AppendJsonString(processed.dead_letter.message, line);
  } else {
    line += ",\"key\":";
    AppendJsonString(processed.key, line);
    line += ",\"event\":";
    line += processed.value;  // already one JSON object (EncodeEvent)
  }
  line += '}';
  std::lock_guard lock(mu_);
  lines_.push_back(std::move(line));
  while (lines_.size() > capacity_) lines_.pop_front();
}

std::vector<std::string> Tap::Last(size_t n) const {
  std::lock_guard lock(mu_);
  n = std::min(n, lines_.size());
  return {lines_.end() - static_cast<std::ptrdiff_t>(n), lines_.end()};
}

size_t TapCount(const std::string& query, size_t def) {
  size_t pos = 0;
  while (pos <= query.size()) {
    const size_t amp = std::min(query.find('&', pos), query.size());
    const std::string_view param(query.data() + pos, amp - pos);
    if (param.rfind("n=", 0) == 0) {
      size_t n = 0;
      const auto digits = param.substr(2);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return 0;
      return n;
    }
    pos = amp + 1;
  }
  return def;
}

}  // namespace ingestd
