// Readiness: the daemon is ready (GET /readyz answers 200) only when no component
// holds a named condition. Components hold a condition while they are not able to
// serve (the Kafka runtime while it joins its group or drains; the dedupe index
// while it restores) and release it when they are.
//
//   readiness.Hold("dedupe_index", "restoring from ingestd.dedupe-index");
//   ... restore ...
//   readiness.Release("dedupe_index");
//
// A fatal condition (MarkFatal) is never released: the process is going down.
//
// Threading: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace ingestd {

class Readiness {
 public:
  // Holds (or re-words) the condition `name`; `why` is shown by /readyz.
  void Hold(const std::string& name, const std::string& why);
  void Release(const std::string& name);
  void MarkFatal(const std::string& why);

  [[nodiscard]] bool Ready() const;
  [[nodiscard]] bool Fatal() const;
  // One line per held condition ("name: why"), empty when ready.
  [[nodiscard]] std::string Describe() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> held_;
  bool fatal_ = false;
  std::string fatal_why_;
};

}  // namespace ingestd
