// ParseConfig over arbitrary YAML text, after `--set` overrides taken from the
// input's leading lines that start with "--set " (as `ingestd run --set` passes
// them). Oracle: bad config is a ConfigError (a message naming the file, or the
// override it refuses), never another exception or a crash. Environment
// references (${VAR}) resolve against this process' environment.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Deeply nested YAML overflows yaml-cpp's recursive parser's stack: config files
  // are trusted and small, so keep inputs short enough not to report that.
  if (size > 4096) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  constexpr std::string_view kSet = "--set ";
  while (rest.substr(0, kSet.size()) == kSet) {
    const size_t end = rest.find('\n');
    overrides.emplace_back(rest.substr(kSet.size(), end == std::string_view::npos ? rest.npos : end - kSet.size()));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  try {
    auto config = ingestd::ParseConfig(std::string(rest), "fuzz.yaml", overrides);
    INGESTD_FUZZ_CHECK(config != nullptr);
    INGESTD_FUZZ_CHECK(config->runtime.workers > 0);
  } catch (const ingestd::ConfigError& e) {
    const std::string what = e.what();
    INGESTD_FUZZ_CHECK(what.find("fuzz.yaml") != std::string::npos || what.rfind("--set ", 0) == 0);
  }
  return 0;
}
