#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler HealthzHandler(const Readiness& readiness, std::function<std::string()> stuck) {
  return [&readiness, stuck = std::move(stuck)](const AdminRequest&) {
    AdminResponse r;
    if (readiness.Fatal()) {
      r.status = 503;
      r.body = "fatal error\n" + readiness.Describe();
    } else if (std::string why = stuck ? stuck() : std::string(); !why.empty()) {
      r.status = 503;
      r.body = why + "\n";
    } else {
      r.body = "ok\n";
    }
    return r;
  };
}

}  // namespace ingestd
