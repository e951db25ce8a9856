#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler ReadyzHandler(const Readiness& readiness) {
  return [&readiness](const AdminRequest&) {
    AdminResponse r;
    if (readiness.Ready()) {
      r.body = "ready\n";
    } else {
      r.status = 503;
      r.body = "not ready\n" + readiness.Describe();
    }
    return r;
  };
}

}  // namespace ingestd
