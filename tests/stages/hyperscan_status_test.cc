#include "stages/hyperscan_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hs/hs.h>

#include <memory>
#include <string>

namespace ingestd {
namespace {

struct Db {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  Db() {
    hs_compile_error_t* error = nullptr;
    EXPECT_EQ(hs_compile("b", 0, HS_MODE_BLOCK, nullptr, &db, &error), HS_SUCCESS);
    EXPECT_EQ(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
  }
  ~Db() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
};

TEST(HyperscanStatusTest, ASuccessfulScanPasses) {
  Db d;
  int matches = 0;
  auto count = [](unsigned, unsigned long long, unsigned long long, unsigned, void* c) -> int {
    ++*static_cast<int*>(c);
    return 0;
  };
  EXPECT_NO_THROW(CheckScan(hs_scan(d.db, "abcb", 4, 0, d.scratch, count, &matches), "test"));
  EXPECT_EQ(matches, 2);
}

// Real failures of hs_scan, not made-up codes: a scratch used by a second scan
// while the first is still running, and a database pointer that is not one.
TEST(HyperscanStatusTest, AFailedScanThrowsWithItsName) {
  Db d;
  struct Nested {
    Db* d;
    hs_error_t inner = HS_SUCCESS;
  } nested{&d};
  auto rescan = [](unsigned, unsigned long long, unsigned long long, unsigned, void* c) -> int {
    auto* n = static_cast<Nested*>(c);
    n->inner = hs_scan(n->d->db, "b", 1, 0, n->d->scratch, nullptr, nullptr);
    return 0;
  };
  ASSERT_EQ(hs_scan(d.db, "b", 1, 0, d.scratch, rescan, &nested), HS_SUCCESS);
  try {
    CheckScan(nested.inner, "boilerplate rules");
    FAIL() << "no exception for " << nested.inner;
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("boilerplate rules: Hyperscan scan failed: HS_SCRATCH_IN_USE"));
  }
  EXPECT_THROW(CheckScan(hs_scan(nullptr, "b", 1, 0, d.scratch, nullptr, nullptr), "taxonomy"), std::runtime_error);
}

TEST(HyperscanStatusTest, EveryCodeHasAName) {
  for (hs_error_t e = HS_UNKNOWN_ERROR; e < HS_SUCCESS; ++e) {
    EXPECT_STRNE(HyperscanErrorName(e), "unknown Hyperscan error") << e;
  }
  EXPECT_STREQ(HyperscanErrorName(-1000), "unknown Hyperscan error");
}

}  // namespace
}  // namespace ingestd
