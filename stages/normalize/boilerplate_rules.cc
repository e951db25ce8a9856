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

#include "stages/hyperscan_status.h"

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
  CheckScan(hs_scan(db_->db, line.data(), static_cast<unsigned>(line.size()), 0, ScratchFor(db_->db, db_->serial),
                    on_match, &best),
            "boilerplate rules");
  return best == std::numeric_limits<unsigned>::max() ? nullptr : &rules_[best];
}

std::vector<const BoilerplateRule*> BoilerplateRules::MatchLines(std::string_view text) const {
  // Line i spans [starts[i], starts[i + 1] - 1).
  thread_local std::vector<size_t> starts;
  starts.assign(1, 0);
  for (size_t p = text.find('\n'); p != std::string_view::npos; p = text.find('\n', p + 1)) starts.push_back(p + 1);
  std::vector<const BoilerplateRule*> result(starts.size(), nullptr);
  if (!db_ || text.empty()) return result;
  starts.push_back(text.size() + 1);
  // Only lines of at most kMaxLineBytes can be chrome: they are copied, one per line,
  // into a view of their own and only that is scanned, so the paragraphs that make
  // most of an article's bytes are never read. A line matches there every rule it
  // matches alone (^ and $ sit at its ends in both); a match running over several
  // lines is weeded out at the end.
  auto length = [&](size_t i) { return starts[i + 1] - 1 - starts[i]; };
  thread_local std::string view;
  thread_local std::vector<size_t> view_starts;  // where each scanned line starts
  thread_local std::vector<size_t> view_lines;   // and which line of the text it is
  view.clear();
  view_starts.clear();
  view_lines.clear();
  for (size_t i = 0; i + 1 < starts.size(); ++i) {
    if (length(i) == 0 || length(i) > kMaxLineBytes) continue;  // empty: no verdict either way
    // Between lines, not after the last: a '\n' at the end would open one more,
    // empty, line that no line of the text is.
    if (!view_lines.empty()) view.push_back('\n');
    view_starts.push_back(view.size());
    view_lines.push_back(i);
    view.append(text.substr(starts[i], length(i)));
  }
  if (view_lines.empty()) return result;
  view_starts.push_back(view.size() + 1);
  struct Context {
    const std::vector<size_t>* starts;
    std::vector<unsigned> best;
  } ctx{&view_starts, std::vector<unsigned>(view_lines.size(), std::numeric_limits<unsigned>::max())};
  auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned, void* p) -> int {
    auto* c = static_cast<Context*>(p);
    // Patterns are ^...$: `to` is the end of a line (of the line, unless the match
    // ran over several: the check at the end settles those).
    auto it = std::upper_bound(c->starts->begin(), c->starts->end(), static_cast<size_t>(to));
    const size_t line = static_cast<size_t>(it - c->starts->begin()) - 1;
    if (line < c->best.size() && id < c->best[line]) c->best[line] = id;
    return 0;
  };
  CheckScan(hs_scan(db_->db, view.data(), static_cast<unsigned>(view.size()), 0, ScratchFor(db_->db, db_->serial),
                    on_match, &ctx),
            "boilerplate rules");
  // A verdict is confirmed on its line alone. A pattern that can match a line break
  // (a user's [^x]) may have matched from an earlier line into this one; every rule
  // matching the line alone also matched in the scan, so only lines with a verdict
  // can have one, and a few short scans settle them.
  for (size_t k = 0; k < view_lines.size(); ++k) {
    if (ctx.best[k] == std::numeric_limits<unsigned>::max()) continue;
    const size_t i = view_lines[k];
    result[i] = Match(text.substr(starts[i], length(i)));
  }
  return result;
}

}  // namespace ingestd
