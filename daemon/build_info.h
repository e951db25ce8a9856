// `ingestd_build_info{version,...} 1`: which build is running, for dashboards and
// for joining other series by version (`* on(instance) group_left(version)`).
#pragma once

#include <prometheus/registry.h>

namespace ingestd {

// Registers the gauge once per registry; call at start-up.
void RegisterBuildInfo(prometheus::Registry& registry);

}  // namespace ingestd
