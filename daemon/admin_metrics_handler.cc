#include <prometheus/text_serializer.h>

#include "daemon/admin_handlers.h"

namespace ingestd {

AdminHandler MetricsHandler(const prometheus::Registry& registry) {
  return [&registry](const AdminRequest&) {
    AdminResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = prometheus::TextSerializer().Serialize(registry.Collect());
    return r;
  };
}

}  // namespace ingestd
