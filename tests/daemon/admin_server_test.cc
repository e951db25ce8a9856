#include "daemon/admin_server.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "daemon/admin_handlers.h"
#include "daemon/readiness.h"

namespace ingestd {
namespace {

// A real server on port 0, on its own io_context thread, asked over a socket.
class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<AdminServer>(io_, "127.0.0.1", 0);
    prometheus::BuildCounter().Name("ingestd_test_total").Help("t").Register(registry_).Add({}).Increment(3);
    server_->Handle("GET", "/metrics", MetricsHandler(registry_));
    server_->Handle("GET", "/healthz", HealthzHandler(readiness_));
    server_->Handle("GET", "/readyz", ReadyzHandler(readiness_));
    server_->Handle("POST", "/reload", ReloadHandler([this](std::string* error) {
                      ++reloads_;
                      if (fail_reload_) *error = "bad taxonomy";
                      return !fail_reload_;
                    }));
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
  }

  // Returns the raw HTTP response.
  std::string Ask(const std::string& method, const std::string& target) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(server_->port())});
    const std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(req));
    std::string response;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    return response;
  }

  boost::asio::io_context io_;
  std::unique_ptr<AdminServer> server_;
  std::thread thread_;
  prometheus::Registry registry_;
  Readiness readiness_;
  int reloads_ = 0;
  bool fail_reload_ = false;
};

TEST_F(AdminServerTest, BindsAFreePortWhenAskedForPortZero) { EXPECT_GT(server_->port(), 0); }

TEST_F(AdminServerTest, ServesMetricsInPrometheusTextFormat) {
  const std::string r = Ask("GET", "/metrics");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_NE(r.find("text/plain; version=0.0.4"), std::string::npos) << r;
  EXPECT_NE(r.find("# TYPE ingestd_test_total counter\ningestd_test_total 3"), std::string::npos) << r;
}

TEST_F(AdminServerTest, ReadyzFollowsTheReadinessConditions) {
  readiness_.Hold("kafka", "joining consumer group");
  std::string r = Ask("GET", "/readyz");
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_NE(r.find("kafka: joining consumer group"), std::string::npos) << r;
  EXPECT_EQ(Ask("GET", "/healthz").rfind("HTTP/1.1 200", 0), 0u);
  readiness_.Release("kafka");
  EXPECT_EQ(Ask("GET", "/readyz?verbose=1").rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(AdminServerTest, HealthzFailsAfterAFatalError) {
  readiness_.MarkFatal("producer fenced");
  const std::string r = Ask("GET", "/healthz");
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_NE(r.find("producer fenced"), std::string::npos) << r;
}

TEST_F(AdminServerTest, ReloadRunsTheReloadAndReportsItsError) {
  EXPECT_EQ(Ask("POST", "/reload").rfind("HTTP/1.1 200", 0), 0u);
  fail_reload_ = true;
  const std::string r = Ask("POST", "/reload");
  EXPECT_EQ(r.rfind("HTTP/1.1 500", 0), 0u) << r;
  EXPECT_NE(r.find("bad taxonomy"), std::string::npos) << r;
  EXPECT_EQ(reloads_, 2);
}

TEST_F(AdminServerTest, AnswersUnknownPathsAndWrongMethods) {
  EXPECT_EQ(Ask("GET", "/nope").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(Ask("GET", "/reload").rfind("HTTP/1.1 405", 0), 0u);
}

// Idle keep-alive clients cannot pile up: past the cap a connection is closed at
// once, and a slot freed by a client is served again.
TEST_F(AdminServerTest, ClosesConnectionsBeyondTheSessionCap) {
  boost::asio::io_context io;
  const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"),
                                          static_cast<uint16_t>(server_->port()));
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < AdminServer::kMaxSessions; ++i) {
    idle.emplace_back(io).connect(at);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (server_->open_sessions() < AdminServer::kMaxSessions && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(server_->open_sessions(), AdminServer::kMaxSessions);

  boost::asio::ip::tcp::socket extra(io);
  extra.connect(at);
  std::string got;
  boost::system::error_code ec;
  boost::asio::read(extra, boost::asio::dynamic_buffer(got), ec);  // returns when the server closes it
  EXPECT_EQ(ec, boost::asio::error::eof);
  EXPECT_TRUE(got.empty());

  idle.back().close();
  while (server_->open_sessions() >= AdminServer::kMaxSessions && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_NE(Ask("GET", "/healthz").find("200 OK"), std::string::npos);
}

}  // namespace
}  // namespace ingestd
