#include "daemon/build_info.h"

#include <librdkafka/rdkafka.h>
#include <prometheus/gauge.h>
#include <simdjson.h>

#include <string>

#include "daemon/version.h"

namespace ingestd {

void RegisterBuildInfo(prometheus::Registry& registry) {
  const std::string simdjson_version = std::to_string(static_cast<int>(simdjson::SIMDJSON_VERSION_MAJOR)) + "." +
                                       std::to_string(static_cast<int>(simdjson::SIMDJSON_VERSION_MINOR)) + "." +
                                       std::to_string(static_cast<int>(simdjson::SIMDJSON_VERSION_REVISION));
  prometheus::BuildGauge()
      .Name("ingestd_build_info")
      .Help("Always 1; the labels say which build runs: ingestd version, librdkafka and simdjson versions.")
      .Register(registry)
      .Add({{"version", INGESTD_VERSION}, {"librdkafka", rd_kafka_version_str()}, {"simdjson", simdjson_version}})
      .Set(1);
}

}  // namespace ingestd
