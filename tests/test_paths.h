// Where tests find the source tree and the built binary (set by tests/CMakeLists.txt).
#pragma once

#include <cstdlib>
#include <string>

namespace ingestd::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("INGESTD_SOURCE_DIR");
  return env ? env : INGESTD_TEST_SOURCE_DIR;
}

inline std::string BinaryPath() {
  const char* env = std::getenv("INGESTD_BINARY");
  return env ? env : INGESTD_TEST_BINARY;
}

}  // namespace ingestd::testing
