#include "daemon/admin_server.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "daemon/admin_handlers.h"
#include "daemon/admin_reload_handler.h"
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
    server_->HandleAsync("POST", "/reload", ReloadHandler(reloader_));
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
  }

  boost::asio::ip::tcp::endpoint Endpoint() const {
    return {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(server_->port())};
  }

  // Sends `raw` on a new connection; returns the raw HTTP response (until the server closes).
  std::string AskRaw(const std::string& raw) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect(Endpoint());
    boost::asio::write(socket, boost::asio::buffer(raw));
    std::string response;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    return response;
  }

  std::string Ask(const std::string& method, const std::string& target) {
    return AskRaw(method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  }

  // Polls `done` until it holds or 20 s pass (no fixed sleeps).
  template <typename F>
  static bool WaitFor(F done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Declared before the server and the io thread: destroyed after them.
  std::atomic<int> reloads_{0};
  std::atomic<bool> fail_reload_{false};
  std::shared_future<void> reload_gate_;  // when valid, a reload waits for it
  Reloader reloader_{[this](std::string* error) {
    ++reloads_;
    if (reload_gate_.valid()) reload_gate_.wait();
    if (fail_reload_) *error = "bad taxonomy";
    return !fail_reload_;
  }};
  boost::asio::io_context io_;
  std::unique_ptr<AdminServer> server_;
  std::thread thread_;
  prometheus::Registry registry_;
  Readiness readiness_;
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
  ASSERT_TRUE(WaitFor([this] { return !reloader_.running(); }));
  fail_reload_ = true;
  const std::string r = Ask("POST", "/reload");
  EXPECT_EQ(r.rfind("HTTP/1.1 500", 0), 0u) << r;
  EXPECT_NE(r.find("bad taxonomy"), std::string::npos) << r;
  EXPECT_EQ(reloads_, 2);
}

// A reload (seconds of taxonomy compile in production) runs on the reloader's thread:
// the server thread keeps answering /healthz and /readyz, and a second reload meanwhile
// is refused with 409 instead of queueing behind it.
TEST_F(AdminServerTest, HealthzAnswersWhileAReloadRunsAndASecondReloadIsRefused) {
  std::promise<void> release;
  reload_gate_ = release.get_future().share();
  auto first = std::async(std::launch::async, [this] { return Ask("POST", "/reload"); });
  ASSERT_TRUE(WaitFor([this] { return reloads_ == 1; }));  // the slow reload is running

  EXPECT_EQ(Ask("GET", "/healthz").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(Ask("GET", "/readyz").rfind("HTTP/1.1 200", 0), 0u);
  const std::string second = Ask("POST", "/reload");
  EXPECT_EQ(second.rfind("HTTP/1.1 409", 0), 0u) << second;
  EXPECT_EQ(first.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  release.set_value();
  const std::string r = first.get();
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_NE(r.find("reloaded"), std::string::npos) << r;
  EXPECT_EQ(reloads_, 1);
  // Once done, the next one runs.
  EXPECT_TRUE(WaitFor([this] { return !reloader_.running(); }));
  EXPECT_EQ(Ask("POST", "/reload").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(reloads_, 2);
}

TEST_F(AdminServerTest, RefusesAMalformedRequestLineWith400) {
  const std::string r = AskRaw("GARBAGE\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_EQ(Ask("GET", "/healthz").rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(AdminServerTest, RefusesHeadersOver8KiBWith431) {
  const std::string r = AskRaw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 431", 0), 0u) << r.substr(0, 200);
  EXPECT_EQ(Ask("GET", "/healthz").rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(AdminServerTest, RefusesABodyOver1MiBWith413) {
  // Refused on the header alone: the body is never read.
  const std::string r =
      AskRaw("POST /reload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string((1 << 20) + 1) + "\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 200);
  EXPECT_EQ(reloads_, 0);
}

// A client that sends half a request and stalls holds only its own connection.
TEST_F(AdminServerTest, ASlowClientDoesNotDelayReadyz) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow(io);
  slow.connect(Endpoint());
  boost::asio::write(slow, boost::asio::buffer(std::string("GET /readyz HTTP/1.1\r\nHo")));
  ASSERT_TRUE(WaitFor([this] { return server_->open_sessions() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Ask("GET", "/readyz").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The slow client still gets its answer when it finishes.
  boost::asio::write(slow, boost::asio::buffer(std::string("st: t\r\nConnection: close\r\n\r\n")));
  std::string got;
  boost::system::error_code ec;
  boost::asio::read(slow, boost::asio::dynamic_buffer(got), ec);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
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
