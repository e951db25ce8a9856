#include "daemon/admin_handlers.h"
#include "daemon/effective_config.h"

namespace ingestd {

AdminHandler ConfigHandler(std::shared_ptr<const Config> config) {
  // The config does not change while the server runs: render once.
  auto body = std::make_shared<const std::string>(EffectiveConfigJson(*config));
  return [body](const AdminRequest&) {
    AdminResponse r;
    r.content_type = "application/json";
    r.body = *body;
    return r;
  };
}

}  // namespace ingestd
