#include "stages/dedupe/dedupe_stage.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "stages/dedupe/term_frequency.h"
#include "stages/text/fold.h"

namespace ingestd {
namespace {

// The stage's metrics, declared once.
class DedupeProbe {
 public:
  explicit DedupeProbe(prometheus::Registry& registry)
      : entries_(prometheus::BuildGauge()
                     .Name("ingestd_dedupe_index_entries")
                     .Help("Articles in the dedupe index.")
                     .Register(registry)
                     .Add({})),
        bytes_(prometheus::BuildGauge()
                   .Name("ingestd_dedupe_index_bytes")
                   .Help("Memory held by the dedupe index (records and table capacity).")
                   .Register(registry)
                   .Add({})),
        evictions_(prometheus::BuildCounter()
                       .Name("ingestd_dedupe_evictions_total")
                       .Help("Entries evicted from the dedupe index, by reason (window, budget).")
                       .Register(registry)),
        evicted_window_(evictions_.Add({{"reason", "window"}})),
        evicted_budget_(evictions_.Add({{"reason", "budget"}})),
        verdicts_(prometheus::BuildCounter()
                      .Name("ingestd_dedupe_verdicts_total")
                      .Help("Dedupe verdicts by status (unique, exact, near).")
                      .Register(registry)),
        unique_(verdicts_.Add({{"status", "unique"}})),
        exact_(verdicts_.Add({{"status", "exact"}})),
        near_(verdicts_.Add({{"status", "near"}})),
        revisions_(prometheus::BuildCounter()
                       .Name("ingestd_dedupe_revisions_total")
                       .Help("Articles linked to an earlier revision at the same canonical URL.")
                       .Register(registry)
                       .Add({})),
        redelivered_(prometheus::BuildCounter()
                         .Name("ingestd_dedupe_redelivered_total")
                         .Help("Records judged before at the same input position (consumed again after a crash "
                               "or a rebalance): judged as when first delivered, not as copies of themselves.")
                         .Register(registry)
                         .Add({})),
        story_links_(prometheus::BuildCounter()
                         .Name("ingestd_dedupe_story_links_total")
                         .Help("Articles given an earlier article's story id by a story lookup (same story, "
                               "little shared text).")
                         .Register(registry)
                         .Add({})),
        applied_(prometheus::BuildCounter()
                     .Name("ingestd_dedupe_log_entries_applied_total")
                     .Help("Index entries added from the shared log or a snapshot.")
                     .Register(registry)
                     .Add({})) {}

  void Verdict(const DedupeResult& r) {
    switch (r.status) {
      case DedupeStatus::kUnique: unique_.Increment(); break;
      case DedupeStatus::kExact: exact_.Increment(); break;
      case DedupeStatus::kNear: near_.Increment(); break;
    }
    if (!r.revision_of.empty()) revisions_.Increment();
    if (r.redelivered) redelivered_.Increment();
  }
  // Counters move by the index's cumulative counts since the last call.
  void Index(const dedupe::IndexStats& s) {
    entries_.Set(static_cast<double>(s.entries));
    bytes_.Set(static_cast<double>(s.bytes));
    evicted_window_.Increment(static_cast<double>(s.evicted_window - seen_window_));
    evicted_budget_.Increment(static_cast<double>(s.evicted_budget - seen_budget_));
    story_links_.Increment(static_cast<double>(s.story_links - seen_story_links_));
    seen_window_ = s.evicted_window;
    seen_budget_ = s.evicted_budget;
    seen_story_links_ = s.story_links;
  }
  void Applied() { applied_.Increment(); }

 private:
  prometheus::Gauge& entries_;
  prometheus::Gauge& bytes_;
  prometheus::Family<prometheus::Counter>& evictions_;
  prometheus::Counter& evicted_window_;
  prometheus::Counter& evicted_budget_;
  prometheus::Family<prometheus::Counter>& verdicts_;
  prometheus::Counter& unique_;
  prometheus::Counter& exact_;
  prometheus::Counter& near_;
  prometheus::Counter& revisions_;
  prometheus::Counter& redelivered_;
  prometheus::Counter& story_links_;
  prometheus::Counter& applied_;
  // Guarded by the stage's mutex (Index() is called under it).
  uint64_t seen_window_ = 0;
  uint64_t seen_budget_ = 0;
  uint64_t seen_story_links_ = 0;
};

int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

// A term used twice by fewer articles than this is always distinctive (the share
// alone would call everything common early in the stream).
constexpr uint32_t kMinTermCount = 4;

// Owns the index; Process() runs on any worker thread. The signature (most of the
// CPU) is computed outside the lock; lookup and insert run under one mutex so
// that two copies processed at once are judged one after the other. The critical
// section is a few microseconds (bench/dedupe_bench.cc measures contention).
class DedupeStageImpl final : public DedupeStage {
 public:
  DedupeStageImpl(const DedupeConfig& config, const StageContext& context)
      : config_(config),
        clock_(context.clock ? context.clock : &system_clock_),
        own_registry_(context.metrics ? nullptr : std::make_unique<prometheus::Registry>()),
        probe_(context.metrics ? *context.metrics : *own_registry_),
        terms_(config.story_max_term_share, kMinTermCount),
        index_(dedupe::IndexOptions{config.window_hours * 3600, config.memory_budget_bytes, config.near_containment,
                                    static_cast<int>(config.min_samples), static_cast<int>(config.min_shingles),
                                    config.story_window_hours * 3600, config.story_min_overlap,
                                    static_cast<int>(config.story_min_shared)}) {
    shingles_.word_width = static_cast<int>(config.shingle_words);
    shingles_.cjk_width = static_cast<int>(config.shingle_cjk_chars);
    shingles_.thai_width = static_cast<int>(config.shingle_thai_chars);
    for (const auto& s : config.route_to_duplicates) {
      if (s == "exact") route_exact_ = true;
      if (s == "near") route_near_ = true;
    }
    if (!config.snapshot_file.empty() && std::filesystem::exists(config.snapshot_file)) {
      dedupe::LoadSnapshot(index_, config.snapshot_file, UnixSeconds(*clock_));
      probe_.Index(index_.Stats());
    }
  }

  std::string_view Name() const override { return "dedupe"; }

  StageResult Process(Article& article) override {
    EnsureIdentity(article);
    FoldedText local;
    const FoldedText* folded = &article.folded_text;
    if (folded->empty() && !article.text.empty()) {  // a chain without normalize
      local = Fold(article.text);
      folded = &local;
    }
    const dedupe::Sketch sketch = dedupe::MakeSketch(folded->text, shingles_, terms_);
    dedupe::Query query;
    query.id = article.id;
    query.content_hash = *article.content_hash;
    const std::string& url = IdentityUrl(article);
    query.url_hash = url.empty() ? 0 : XXH3_64bits(url.data(), url.size());
    if (query.url_hash == 0 && !url.empty()) query.url_hash = 1;
    query.signature = &sketch.signature;
    query.story_terms = &sketch.story_terms;
    query.story_keys = &sketch.story_keys;
    if (article.input && article.input->offset >= 0) {
      query.delivery = dedupe::DeliveryKey(article.input->topic, article.input->partition, article.input->offset);
    }

    dedupe::IndexEntry entry;
    std::vector<std::string> expired;
    DedupeResult result;
    {
      std::lock_guard lock(mu_);
      result = index_.CheckAndInsert(query, UnixSeconds(*clock_), log_ ? &entry : nullptr, log_ ? &expired : nullptr);
      probe_.Index(index_.Stats());
    }
    probe_.Verdict(result);
    // Term counts are of distinct articles: copies would count a story's names again.
    if (result.status == DedupeStatus::kUnique && !result.redelivered) terms_.Add(sketch.repeated);
    if (log_) {
      if (!entry.id.empty()) log_->Publish(entry);
      for (const auto& id : expired) log_->Expire(id);
    }
    const bool route = (result.status == DedupeStatus::kExact && route_exact_) ||
                       (result.status == DedupeStatus::kNear && route_near_);
    article.dedupe = std::move(result);
    return route ? StageResult::Duplicate() : StageResult::Continue();
  }

  void SetLog(dedupe::IndexLog* log) override { log_ = log; }

  bool ApplyEntry(const dedupe::IndexEntry& entry) override {
    std::lock_guard lock(mu_);
    const bool applied = index_.Apply(entry, UnixSeconds(*clock_));
    if (applied) probe_.Applied();
    probe_.Index(index_.Stats());
    return applied;
  }

  bool Flush(std::string* error) override {
    if (config_.snapshot_file.empty()) return true;
    try {
      std::lock_guard lock(mu_);
      dedupe::SaveSnapshot(index_, config_.snapshot_file);
    } catch (const std::exception& e) {
      if (error) *error = e.what();
      return false;
    }
    return true;
  }

  dedupe::IndexStats Stats() const override {
    std::lock_guard lock(mu_);
    return index_.Stats();
  }

 private:
  const DedupeConfig config_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::unique_ptr<prometheus::Registry> own_registry_;  // when the context has none (unit tests)
  DedupeProbe probe_;
  dedupe::ShingleOptions shingles_;
  bool route_exact_ = false;
  bool route_near_ = false;
  dedupe::IndexLog* log_ = nullptr;
  dedupe::TermFrequency terms_;  // lock-free (see term_frequency.h)
  mutable std::mutex mu_;
  dedupe::DedupeIndex index_;  // guarded by mu_
};

constexpr char kSnapshotMagic[8] = {'i', 'n', 'g', 'd', 'e', 'd', 'u', '1'};

}  // namespace

std::unique_ptr<Stage> MakeDedupeStage(const DedupeConfig& config, const StageContext& context) {
  return std::make_unique<DedupeStageImpl>(config, context);
}

DedupeStage* FindDedupeStage(const std::vector<std::unique_ptr<Stage>>& stages) {
  for (const auto& s : stages) {
    if (auto* d = dynamic_cast<DedupeStage*>(s.get())) return d;
  }
  return nullptr;
}

namespace dedupe {

void SaveSnapshot(const DedupeIndex& index, const std::string& path) {
  // Write aside and rename, so a crash never leaves a half-written snapshot.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("dedupe: cannot write snapshot " + tmp);
    out.write(kSnapshotMagic, sizeof kSnapshotMagic);
    index.ForEachEntry([&](const IndexEntry& e) {
      const std::string bytes = EncodeEntry(e);
      const auto n = static_cast<uint32_t>(bytes.size());
      out.write(reinterpret_cast<const char*>(&n), sizeof n);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    });
    out.flush();
    if (!out) throw std::runtime_error("dedupe: cannot write snapshot " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("dedupe: cannot rename " + tmp + " to " + path + ": " + ec.message());
}

size_t LoadSnapshot(DedupeIndex& index, const std::string& path, int64_t now) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("dedupe: cannot read snapshot " + path);
  char magic[sizeof kSnapshotMagic];
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kSnapshotMagic, sizeof magic) != 0) {
    throw std::runtime_error("dedupe: " + path + " is not a dedupe snapshot");
  }
  size_t applied = 0;
  std::string buf;
  for (;;) {
    uint32_t n = 0;
    if (!in.read(reinterpret_cast<char*>(&n), sizeof n)) break;
    buf.resize(n);
    if (n > (1u << 20) || !in.read(buf.data(), n)) throw std::runtime_error("dedupe: truncated snapshot " + path);
    auto entry = DecodeEntry(buf);
    if (!entry) throw std::runtime_error("dedupe: corrupt entry in snapshot " + path);
    if (index.Apply(*entry, now)) ++applied;
  }
  return applied;
}

}  // namespace dedupe
}  // namespace ingestd
