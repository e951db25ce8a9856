// ParseConfig over arbitrary YAML text. Oracle: bad config is a ConfigError (a
// message naming the key), never another exception or a crash. Environment
// references (${VAR}) resolve against this process' environment.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Deeply nested YAML overflows yaml-cpp's recursive parser's stack: config files
  // are trusted and small, so keep inputs short enough not to report that.
  if (size > 4096) return 0;
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  try {
    auto config = ingestd::ParseConfig(yaml, "fuzz.yaml");
    INGESTD_FUZZ_CHECK(config != nullptr);
    INGESTD_FUZZ_CHECK(config->runtime.workers > 0);
  } catch (const ingestd::ConfigError& e) {
    INGESTD_FUZZ_CHECK(std::string(e.what()).find("fuzz.yaml") != std::string::npos);
  }
  return 0;
}
