#include "daemon/embedded_broker.h"

#include <gtest/gtest.h>

namespace ingestd {
namespace {

TEST(EmbeddedBrokerTest, GivesABootstrapAddressAndTakesTestCommands) {
  EmbeddedBroker broker(2, 3, {"t1"});
  EXPECT_EQ(broker.bootstrap().rfind("127.0.0.1:", 0), 0u) << broker.bootstrap();
  EXPECT_EQ(broker.Command("errors 0 6 3"), "ok");
  EXPECT_EQ(broker.Command("clear 0"), "ok");
  EXPECT_EQ(broker.Command("down 2"), "ok");
  EXPECT_EQ(broker.Command("up 2"), "ok");
  EXPECT_EQ(broker.Command("rtt 1 5"), "ok");
  EXPECT_EQ(broker.Command("topic t2 2"), "ok");
  EXPECT_EQ(broker.Command("errors 0"), "error: usage: errors API_KEY ERROR_CODE COUNT");
  EXPECT_EQ(broker.Command("explode").rfind("error: unknown command", 0), 0u);
}

}  // namespace
}  // namespace ingestd
