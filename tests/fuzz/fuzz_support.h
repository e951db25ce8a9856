// Oracles shared by the fuzz targets: what must hold for any input.
#pragma once

#include <rapidjson/document.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace ingestd::fuzz {

// A broken invariant is a finding: abort so libFuzzer saves the input.
#define INGESTD_FUZZ_CHECK(cond)                                                        \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

// Every event ingestd writes is a valid UTF-8 JSON object.
inline void CheckJsonObject(std::string_view json) {
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(json.data(), json.size()));
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  INGESTD_FUZZ_CHECK(!d.HasParseError());
  INGESTD_FUZZ_CHECK(d.IsObject());
}

inline bool IsSnakeCase(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace ingestd::fuzz
