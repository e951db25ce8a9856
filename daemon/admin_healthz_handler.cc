#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler HealthzHandler(const Readiness& readiness) {
  return [&readiness](const AdminRequest&) {
    AdminResponse r;
    if (readiness.Fatal()) {
      r.status = 503;
      r.body = "fatal error\n" + readiness.Describe();
    } else {
      r.body = "ok\n";
    }
    return r;
  };
}

}  // namespace ingestd
