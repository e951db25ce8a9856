// The admin HTTP server (Boost.Beast): a table of (method, path) -> handler. The
// handlers live one per file (admin_*_handler.cc, declared in admin_handlers.h);
// the run command wires them. Issue 8's endpoints (/config, /tap) plug in the same
// way with Handle().
//
// Threading: runs on the io_context it is given (the control thread in `ingestd
// run`), so plain handlers run there too, one at a time, and must be quick: the same
// thread handles signals. Slow work (POST /reload) uses HandleAsync and answers from
// a thread of its own.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace ingestd {

struct AdminRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // without the query
  std::string query;   // after '?', undecoded
  std::string body;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;
// Answers a request; called exactly once, from any thread.
using AdminResponder = std::function<void(AdminResponse)>;
// A handler that answers later: it returns at once and calls `respond` when done.
using AsyncAdminHandler = std::function<void(const AdminRequest&, AdminResponder respond)>;

class AdminServer {
 public:
  // Connections open at once, at most; more are closed as they arrive.
  static constexpr int kMaxSessions = 64;

  // Binds address:port (port 0: any free port). Throws boost::system::system_error.
  AdminServer(boost::asio::io_context& io, const std::string& address, int port);
  ~AdminServer();

  void Handle(const std::string& method, const std::string& path, AdminHandler handler);
  void HandleAsync(const std::string& method, const std::string& path, AsyncAdminHandler handler);
  void Start();
  void Stop();

  [[nodiscard]] std::string address() const;
  [[nodiscard]] int port() const;

  // Routes one request; `respond` is called exactly once (at once for a plain handler).
  void Dispatch(const AdminRequest& request, AdminResponder respond) const;
  // Routes one request and waits for the answer (tests without a socket).
  [[nodiscard]] AdminResponse Dispatch(const AdminRequest& request) const;
  // Connections being served now (any thread).
  [[nodiscard]] int open_sessions() const { return *open_sessions_; }

 private:
  void Accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_backoff_;
  std::shared_ptr<std::atomic<int>> open_sessions_;
  std::chrono::steady_clock::time_point last_accept_error_log_{};
  std::map<std::pair<std::string, std::string>, AsyncAdminHandler> handlers_;
  bool stopped_ = false;
};

}  // namespace ingestd
