#include "daemon/admin_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <optional>

namespace ingestd {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(30);
// Accept errors (EMFILE, ENFILE, ENOBUFS) repeat at once: wait before accepting again,
// so the control thread does not spin.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

// One connection: read a request, answer it, repeat while keep-alive. A request the
// parser rejects gets its 4xx and the connection is closed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `open` counts live sessions (shared: a session may outlive the server).
  Session(tcp::socket socket, const AdminServer& server, std::shared_ptr<std::atomic<int>> open)
      : stream_(std::move(socket)), server_(server), open_(std::move(open)) {
    ++*open_;
  }
  ~Session() { --*open_; }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Reject(ec);
      self->Answer(self->parser_->release());
    });
  }

 private:
  void Answer(http::request<http::string_body> req) {
    AdminRequest in;
    in.method = std::string(req.method_string());
    const std::string target(req.target());
    const size_t q = target.find('?');
    in.path = target.substr(0, q);
    if (q != std::string::npos) in.query = target.substr(q + 1);
    in.body = std::move(req.body());
    // The answer may come from another thread (an async handler): write it on ours.
    server_.Dispatch(
        in, [self = shared_from_this(), version = req.version(), keep_alive = req.keep_alive()](AdminResponse out) {
          auto executor = self->stream_.get_executor();
          boost::asio::post(executor, [self = std::move(self), version, keep_alive, out = std::move(out)]() mutable {
            self->Write(std::move(out), version, keep_alive);
          });
        });
  }

  void Write(AdminResponse out, unsigned version, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(out.status), version);
    res->set(http::field::server, "ingestd");
    res->set(http::field::content_type, out.content_type);
    res->keep_alive(keep_alive);
    res->body() = std::move(out.body);
    res->prepare_payload();
    stream_.expires_after(kIdleTimeout);  // a client that does not read is dropped too
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->Close();
      self->Read();
    });
  }

  // The read failed: a closed or idle connection is just closed; a request the parser
  // refused gets a status saying why first.
  void Reject(beast::error_code ec) {
    int status = 400;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
        ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
        ec == boost::asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::header_limit) status = 431;
    if (ec == http::error::body_limit) status = 413;
    Write(AdminResponse{status, "text/plain; charset=utf-8", "bad request: " + ec.message() + "\n"}, 11, false);
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const AdminServer& server_;
  std::shared_ptr<std::atomic<int>> open_;
};

}  // namespace

AdminServer::AdminServer(boost::asio::io_context& io, const std::string& address, int port)
    : io_(io), acceptor_(io), accept_backoff_(io), open_sessions_(std::make_shared<std::atomic<int>>(0)) {
  const tcp::endpoint endpoint(boost::asio::ip::make_address(address), static_cast<uint16_t>(port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Handle(const std::string& method, const std::string& path, AdminHandler handler) {
  handlers_[{method, path}] = [handler = std::move(handler)](const AdminRequest& request, AdminResponder respond) {
    respond(handler(request));
  };
}

void AdminServer::HandleAsync(const std::string& method, const std::string& path, AsyncAdminHandler handler) {
  handlers_[{method, path}] = std::move(handler);
}

void AdminServer::Start() { Accept(); }

void AdminServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  accept_backoff_.cancel();
}

std::string AdminServer::address() const { return acceptor_.local_endpoint().address().to_string(); }
int AdminServer::port() const { return acceptor_.local_endpoint().port(); }

void AdminServer::Dispatch(const AdminRequest& request, AdminResponder respond) const {
  if (auto it = handlers_.find({request.method, request.path}); it != handlers_.end()) {
    // A handler that throws before answering answers 500; the responder is then unused.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    try {
      it->second(request, [answered, respond](AdminResponse r) {
        answered->store(true);
        respond(std::move(r));
      });
    } catch (const std::exception& e) {
      spdlog::error("admin: {} {}: {}", request.method, request.path, e.what());
      if (!answered->load()) {
        respond(AdminResponse{500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"});
      }
    }
    return;
  }
  for (const auto& [key, handler] : handlers_) {
    if (key.second == request.path) {
      return respond(AdminResponse{405, "text/plain; charset=utf-8", "method not allowed\n"});
    }
  }
  respond(AdminResponse{404, "text/plain; charset=utf-8", "not found\n"});
}

AdminResponse AdminServer::Dispatch(const AdminRequest& request) const {
  auto answer = std::make_shared<std::promise<AdminResponse>>();
  std::future<AdminResponse> future = answer->get_future();
  Dispatch(request, [answer](AdminResponse r) { answer->set_value(std::move(r)); });
  return future.get();
}

void AdminServer::Accept() {
  acceptor_.async_accept(io_, [this](boost::system::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_accept_error_log_ > std::chrono::seconds(10)) {
        last_accept_error_log_ = now;
        spdlog::warn("admin: accept: {}; retrying in {} ms", ec.message(), kAcceptBackoff.count());
      }
      accept_backoff_.expires_after(kAcceptBackoff);
      accept_backoff_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !stopped_) Accept();
      });
      return;
    }
    if (*open_sessions_ >= kMaxSessions) {
      // Over the cap: refuse (close at once) rather than let idle clients pile up.
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), *this, open_sessions_)->Read();
    }
    Accept();
  });
}

}  // namespace ingestd
