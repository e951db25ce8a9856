// The admin endpoints, one per file (admin_<name>_handler.cc).
#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <string>

#include "daemon/admin_server.h"
#include "daemon/readiness.h"

namespace ingestd {

// GET /metrics: the registry in Prometheus text format.
[[nodiscard]] AdminHandler MetricsHandler(const prometheus::Registry& registry);

// GET /healthz: 200 while the process works; 503 after a fatal error.
[[nodiscard]] AdminHandler HealthzHandler(const Readiness& readiness);

// GET /readyz: 200 when no readiness condition is held, else 503 listing them.
[[nodiscard]] AdminHandler ReadyzHandler(const Readiness& readiness);

// POST /reload: runs `reload` (Processor::Reload); 200 or 500 with the error.
[[nodiscard]] AdminHandler ReloadHandler(std::function<bool(std::string*)> reload);

}  // namespace ingestd
