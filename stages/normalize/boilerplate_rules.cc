#include "stages/normalize/boilerplate_rules.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace ingestd {

struct BoilerplateRules::Database {
  hs_database_t* db = nullptr;
  uint64_t serial = 0;  // unique per database: a freed one's address may be reused
  ~Database() { hs_free_database(db); }
};

namespace {

// One scratch per worker thread, grown to fit every database it has scanned.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  ~ThreadScratch() { hs_free_scratch(scratch); }
};

std::atomic<uint64_t> next_serial{1};

hs_scratch_t* ScratchFor(const hs_database_t* db, uint64_t serial) {
  thread_local ThreadScratch local;
  thread_local uint64_t last = 0;
  if (last != serial) {
    if (hs_alloc_scratch(db, &local.scratch) != HS_SUCCESS) throw std::bad_alloc();
    last = serial;
  }
  return local.scratch;
}

}  // namespace

std::mutex& BoilerplateRules::CacheMutex() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, std::shared_ptr<const BoilerplateRules::Database>>& BoilerplateRules::Cache() {
  static std::map<std::string, std::shared_ptr<const Database>> cache;
  return cache;
}

// Compiling a hundred Unicode patterns takes a good fraction of a second; stages
// built from the same rules (tests, config reloads) share one database, kept for
// the life of the process.
std::shared_ptr<const BoilerplateRules::Database> BoilerplateRules::CachedDatabase(const std::string& key) {
  std::lock_guard<std::mutex> lock(CacheMutex());
  auto it = Cache().find(key);
  return it == Cache().end() ? nullptr : it->second;
}

BoilerplateRules::BoilerplateRules(const std::vector<BoilerplateRule>& rules) : rules_(rules) {
  if (rules_.empty()) return;
  std::string key;
  for (const auto& r : rules_) key += r.pattern + '\0';
  if ((db_ = CachedDatabase(key))) return;
  std::vector<std::string> anchored;
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  anchored.reserve(rules_.size());
  for (size_t i = 0; i < rules_.size(); ++i) {
    anchored.push_back("^(?:" + rules_[i].pattern + ")$");
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY);
    ids.push_back(static_cast<unsigned>(i));
  }
  for (const auto& a : anchored) expressions.push_back(a.c_str());
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(expressions.size()),
                       HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    std::string message = error && error->message ? error->message : "unknown error";
    const int bad = error ? error->expression : -1;
    hs_free_compile_error(error);
    if (bad >= 0 && static_cast<size_t>(bad) < rules_.size()) {
      const auto& r = rules_[static_cast<size_t>(bad)];
      throw std::runtime_error(r.origin + ": boilerplate rule \"" + r.id + "\": bad pattern \"" + r.pattern +
                               "\": " + message);
    }
    throw std::runtime_error("boilerplate rules: " + message);
  }
  auto fresh = std::make_shared<Database>();
  fresh->db = db;
  fresh->serial = next_serial.fetch_add(1);
  db_ = fresh;
  std::lock_guard<std::mutex> lock(CacheMutex());
  if (Cache().size() >= 4) Cache().clear();  // a few rule sets at most (reloads, tests)
  Cache()[key] = fresh;
}

BoilerplateRules::~BoilerplateRules() = default;

const BoilerplateRule* BoilerplateRules::Match(std::string_view line) const {
  if (!db_ || line.size() > kMaxLineBytes) return nullptr;
  unsigned best = std::numeric_limits<unsigned>::max();
  auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    auto* b = static_cast<unsigned*>(ctx);
    if (id < *b) *b = id;
    return 0;
  };
  hs_scan(db_->db, line.data(), static_cast<unsigned>(line.size()), 0, ScratchFor(db_->db, db_->serial), on_match,
          &best);
  return best == std::numeric_limits<unsigned>::max() ? nullptr : &rules_[best];
}

std::vector<const BoilerplateRule*> BoilerplateRules::MatchLines(std::string_view text) const {
  // One scan per line of at most kMaxLineBytes (the only ones that can be chrome), so
  // a pattern that can match a line break (a user's [^x]) cannot join lines, and the
  // paragraphs that make most of an article's bytes are never read. A scan costs a
  // few hundred instructions: far less than reading those paragraphs.
  std::vector<const BoilerplateRule*> result;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    result.push_back(line.empty() || !db_ ? nullptr : Match(line));
    if (end == text.size()) break;
    start = end + 1;
  }
  return result;
}

}  // namespace ingestd
