// The admin endpoints, one per file (admin_<name>_handler.cc).
#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "daemon/admin_server.h"
#include "daemon/readiness.h"
#include "daemon/tap.h"

namespace ingestd {

// GET /metrics: the registry in Prometheus text format.
[[nodiscard]] AdminHandler MetricsHandler(const prometheus::Registry& registry);

// GET /healthz: 200 while the process works; 503 after a fatal error, or while
// `stuck` returns a reason (the processing loop makes no progress with work pending).
[[nodiscard]] AdminHandler HealthzHandler(const Readiness& readiness, std::function<std::string()> stuck = {});

// GET /readyz: 200 when no readiness condition is held, else 503 listing them.
[[nodiscard]] AdminHandler ReadyzHandler(const Readiness& readiness);

// POST /reload: in admin_reload_handler.h (it answers from a thread of its own).

// GET /config: the effective configuration as JSON, secrets redacted.
[[nodiscard]] AdminHandler ConfigHandler(std::shared_ptr<const Config> config);

// GET /tap?n=10: the last n outputs as JSON lines; 404 unless admin.tap is on.
[[nodiscard]] AdminHandler TapHandler(const Tap& tap);

}  // namespace ingestd
