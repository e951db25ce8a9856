#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler TapHandler(const Tap& tap) {
  return [&tap](const AdminRequest& request) {
    AdminResponse r;
    if (!tap.enabled()) {
      r.status = 404;
      r.body = "tap is off (admin.tap: false)\n";
      return r;
    }
    const size_t n = TapCount(request.query);
    if (n == 0 || n > Tap::kCapacity) {
      r.status = 400;
      r.body = "n must be 1.." + std::to_string(Tap::kCapacity) + "\n";
      return r;
    }
    r.content_type = "application/x-ndjson";
    for (const auto& line : tap.Last(n)) {
      r.body += line;
      r.body += '\n';
    }
    return r;
  };
}

}  // namespace ingestd
