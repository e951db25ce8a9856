#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler ReloadHandler(std::function<bool(std::string*)> reload) {
  return [reload = std::move(reload)](const AdminRequest&) {
    AdminResponse r;
    std::string error;
    if (reload(&error)) {
      r.body = "reloaded\n";
    } else {
      r.status = 500;
      r.body = "reload failed: " + error + "\n";
    }
    return r;
  };
}

}  // namespace ingestd
