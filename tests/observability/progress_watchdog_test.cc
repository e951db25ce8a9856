// daemon/progress_watchdog: stuck means pending work and no progress for a while.
#include "daemon/progress_watchdog.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

using std::chrono::seconds;

class ProgressWatchdogTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  uint64_t progress_ = 0;
  int64_t pending_ = 0;  // in flight
  int64_t waiting_ = 0;  // in the assigned partitions, not consumed
  ProgressWatchdog watchdog_{clock_, seconds(60), [this] { return progress_; },
                             [this] {
                               return ProgressWatchdog::Pending{pending_, waiting_};
                             }};
};

TEST_F(ProgressWatchdogTest, IdleDaemonStaysHealthyForever) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(watchdog_.Check().stuck);
    clock_.Advance(seconds(600));
  }
}

TEST_F(ProgressWatchdogTest, PendingWorkWithoutProgressIsStuckAfterTheTimeout) {
  pending_ = 5;
  EXPECT_FALSE(watchdog_.Check().stuck);
  clock_.Advance(seconds(59));
  EXPECT_FALSE(watchdog_.Check().stuck);
  clock_.Advance(seconds(2));
  const auto status = watchdog_.Check();
  EXPECT_TRUE(status.stuck);
  EXPECT_EQ(status.reason, "stuck: no progress for 61 s with 5 records in flight");
}

TEST_F(ProgressWatchdogTest, RecordsWaitingUnconsumedWithoutProgressAreStuck) {
  waiting_ = 300;  // nothing in flight: a consumer that stopped fetching
  EXPECT_FALSE(watchdog_.Check().stuck);
  clock_.Advance(seconds(61));
  const auto status = watchdog_.Check();
  EXPECT_TRUE(status.stuck);
  EXPECT_EQ(status.reason,
            "stuck: no progress for 61 s with 0 records in flight and 300 waiting in the assigned partitions");
  ++progress_;  // it consumed one
  EXPECT_FALSE(watchdog_.Check().stuck);
}

TEST_F(ProgressWatchdogTest, SlowButMovingIsHealthy) {
  pending_ = 10000;
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(watchdog_.Check().stuck) << i;
    clock_.Advance(seconds(50));
    ++progress_;
  }
}

TEST_F(ProgressWatchdogTest, RecoversWhenProgressResumes) {
  pending_ = 1;
  (void)watchdog_.Check();
  clock_.Advance(seconds(120));
  EXPECT_TRUE(watchdog_.Check().stuck);
  progress_ += 3;
  EXPECT_FALSE(watchdog_.Check().stuck);
  clock_.Advance(seconds(30));
  EXPECT_FALSE(watchdog_.Check().stuck);
}

TEST_F(ProgressWatchdogTest, WorkArrivingAfterALongIdleStartsAFreshStallClock) {
  (void)watchdog_.Check();
  clock_.Advance(seconds(3600));
  pending_ = 2;  // records just arrived: not stuck yet
  EXPECT_FALSE(watchdog_.Check().stuck);
  clock_.Advance(seconds(61));
  EXPECT_TRUE(watchdog_.Check().stuck);
}

}  // namespace
}  // namespace ingestd
