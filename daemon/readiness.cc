#include "daemon/readiness.h"

namespace ingestd {

void Readiness::Hold(const std::string& name, const std::string& why) {
  std::lock_guard lock(mu_);
  held_[name] = why;
}

void Readiness::Release(const std::string& name) {
  std::lock_guard lock(mu_);
  held_.erase(name);
}

void Readiness::MarkFatal(const std::string& why) {
  std::lock_guard lock(mu_);
  if (!fatal_) fatal_why_ = why;
  fatal_ = true;
}

bool Readiness::Ready() const {
  std::lock_guard lock(mu_);
  return held_.empty() && !fatal_;
}

bool Readiness::Fatal() const {
  std::lock_guard lock(mu_);
  return fatal_;
}

std::string Readiness::Describe() const {
  std::lock_guard lock(mu_);
  std::string out = fatal_ ? "fatal: " + fatal_why_ + "\n" : "";
  for (const auto& [name, why] : held_) out += name + ": " + why + "\n";
  return out;
}

}  // namespace ingestd
