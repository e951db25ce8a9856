// The rule layer of boilerplate removal: shipped line patterns (config/boilerplate)
// compiled once into one Hyperscan database.
//
// Lifecycle: built on the control thread from the config, immutable afterwards;
// Match() is called concurrently from worker threads (each thread keeps its own
// Hyperscan scratch space).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/normalize_config.h"

namespace ingestd {

class BoilerplateRules {
 public:
  // Throws std::runtime_error naming the rule and its file when a pattern does not compile.
  explicit BoilerplateRules(const std::vector<BoilerplateRule>& rules);
  ~BoilerplateRules();
  BoilerplateRules(const BoilerplateRules&) = delete;
  BoilerplateRules& operator=(const BoilerplateRules&) = delete;

  // Lines longer than this are never tried: chrome is short.
  static constexpr size_t kMaxLineBytes = 200;

  // The first rule (in config order) matching the whole line, if any.
  [[nodiscard]] const BoilerplateRule* Match(std::string_view line) const;
  // For a whole text: result[i] is Match() of line i, where lines are split at '\n',
  // or null for empty lines and lines over kMaxLineBytes. One scan of the short lines,
  // then a scan of each line that matched there, alone (a pattern that can match a
  // line break must not join two lines). One exception: a pattern anchored to the
  // whole text (\A, \z, \Z) matches a line alone but not inside the text; the
  // shipped rules have none.
  [[nodiscard]] std::vector<const BoilerplateRule*> MatchLines(std::string_view text) const;
  [[nodiscard]] size_t size() const { return rules_.size(); }

 private:
  struct Database;
  static std::mutex& CacheMutex();
  static std::map<std::string, std::shared_ptr<const Database>>& Cache();
  static std::shared_ptr<const Database> CachedDatabase(const std::string& key);

  std::vector<BoilerplateRule> rules_;
  std::shared_ptr<const Database> db_;
};

}  // namespace ingestd
