#pragma once
// Hyperscan's scan status as an exception. hs_scan fails only on a programming or
// environment error (a scratch used by two scans at once, a database from another
// Hyperscan build, memory); ignoring its return would give an article silently
// fewer matches. The runtime turns a stage's exception into a dead letter
// (stage, "internal_error", this message), so the record is not lost either.

#include <hs/hs.h>

#include <stdexcept>
#include <string>

namespace ingestd {

// Hyperscan has no function that names its error codes (hs_common.h lists them).
inline const char* HyperscanErrorName(hs_error_t status) {
  switch (status) {
    case HS_SUCCESS: return "HS_SUCCESS";
    case HS_INVALID: return "HS_INVALID";
    case HS_NOMEM: return "HS_NOMEM";
    case HS_SCAN_TERMINATED: return "HS_SCAN_TERMINATED";
    case HS_COMPILER_ERROR: return "HS_COMPILER_ERROR";
    case HS_DB_VERSION_ERROR: return "HS_DB_VERSION_ERROR";
    case HS_DB_PLATFORM_ERROR: return "HS_DB_PLATFORM_ERROR";
    case HS_DB_MODE_ERROR: return "HS_DB_MODE_ERROR";
    case HS_BAD_ALIGN: return "HS_BAD_ALIGN";
    case HS_BAD_ALLOC: return "HS_BAD_ALLOC";
    case HS_SCRATCH_IN_USE: return "HS_SCRATCH_IN_USE";
    case HS_ARCH_ERROR: return "HS_ARCH_ERROR";
    case HS_INSUFFICIENT_SPACE: return "HS_INSUFFICIENT_SPACE";
    case HS_UNKNOWN_ERROR: return "HS_UNKNOWN_ERROR";
    default: return "unknown Hyperscan error";
  }
}

// Throws unless `status` (of an hs_scan whose callbacks never stop the scan) is
// HS_SUCCESS. `what` names the scan: "boilerplate rules", "taxonomy".
inline void CheckScan(hs_error_t status, const char* what) {
  if (status == HS_SUCCESS) return;
  throw std::runtime_error(std::string(what) + ": Hyperscan scan failed: " + HyperscanErrorName(status) + " (" +
                           std::to_string(status) + ")");
}

}  // namespace ingestd
