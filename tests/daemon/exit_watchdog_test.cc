#include "daemon/exit_watchdog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <thread>

namespace ingestd {
namespace {

// The summary it writes and its exit code are tested with Observability's forced
// summary (tests/observability/admin_observability_handlers_test.cc).

// Only the first Arm counts: a later, shorter one does not bring the exit forward.
TEST(ExitWatchdogTest, ALaterShorterArmDoesNotBringTheExitForward) {
  const auto style = GTEST_FLAG_GET(death_test_style);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const auto armed = std::chrono::steady_clock::now();
        ExitWatchdog watchdog([armed](std::string_view why) {
          const bool late = std::chrono::steady_clock::now() >= armed + std::chrono::milliseconds(400);
          std::cerr << "last words: " << why << (late ? ", at the first deadline" : ", too early") << std::endl;
        });
        watchdog.Arm(std::chrono::milliseconds(400));
        watchdog.Arm(std::chrono::milliseconds(0));
        std::this_thread::sleep_until(armed + std::chrono::seconds(30));
        std::cerr << "the watchdog did not fire" << std::endl;
        std::_Exit(3);
      },
      ::testing::ExitedWithCode(1), "last words: grace_period, at the first deadline");
  GTEST_FLAG_SET(death_test_style, style);
}

}  // namespace
}  // namespace ingestd
