// What an input offset commit waits for besides the records' own outputs: writes a
// stage made while processing those records that must be durable before the records
// are given up for good. The dedupe index entries are such writes (DedupeLogKafka):
// a replica that restores the index after this one crashed must find the entry of
// every committed record, or it takes a later copy of that article for new.
//
// The runtime takes a Mark() when a commit falls due, on the consumer thread, after
// the records it covers were processed: a stage's write made in Process() was issued
// before the worker handed the record back, so the mark covers it. The commit goes
// once the gate has Settled() that mark.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace ingestd {

class CommitGate {
 public:
  virtual ~CommitGate() = default;
  // A mark covering every write issued before this call (any thread).
  [[nodiscard]] virtual uint64_t Mark() = 0;
  // True when every write up to `mark` was delivered, or failed for good (the owner
  // counts those: holding commits forever for one lost write would stop the pipeline).
  [[nodiscard]] virtual bool Settled(uint64_t mark) const = 0;
  // Blocks until Settled(mark) or `deadline`; returns Settled(mark).
  virtual bool WaitSettled(uint64_t mark, std::chrono::steady_clock::time_point deadline) = 0;
  // Called (on the gate's thread) each time more writes are settled, or the gate broke,
  // so a waiting commit goes (or the run stops) at once. Any thread; once it is replaced
  // (or cleared with an empty function), the old listener is not called any more.
  virtual void SetSettledListener(std::function<void()> listener) = 0;
  // Why no write will ever settle again (the writer failed for good: an idempotent
  // producer's fatal error), or empty. Once broken, Settled() is false for every mark
  // not settled before, WaitSettled() returns false at once, and the runtime stops
  // with a fatal error: committing on would give up records whose writes were lost.
  [[nodiscard]] virtual std::string Broken() const = 0;
};

}  // namespace ingestd
