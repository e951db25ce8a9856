#include "daemon/admin_reload_handler.h"

#include <utility>

namespace ingestd {

Reloader::Reloader(std::function<bool(std::string*)> reload)
    : reload_(std::move(reload)), thread_([this] { Loop(); }) {}

Reloader::~Reloader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool Reloader::TryStart(Done done) {
  {
    std::lock_guard lock(mu_);
    if (busy_ || stop_) return false;
    busy_ = true;
    pending_ = std::move(done);
  }
  cv_.notify_all();
  return true;
}

bool Reloader::running() const {
  std::lock_guard lock(mu_);
  return busy_;
}

void Reloader::Loop() {
  while (true) {
    Done done;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || pending_; });
      if (!pending_) return;  // stopping, nothing asked for
      done = std::move(pending_);
      pending_ = nullptr;
    }
    std::string error;
    bool ok = false;
    try {
      ok = reload_(&error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mu_);
      busy_ = false;  // before `done`: a client told "reloaded" may reload again at once
    }
    done(ok, error);
    std::lock_guard lock(mu_);
    if (stop_) return;
  }
}

AsyncAdminHandler ReloadHandler(Reloader& reloader) {
  return [&reloader](const AdminRequest&, AdminResponder respond) {
    const bool started = reloader.TryStart([respond](bool ok, const std::string& error) {
      if (ok) {
        respond(AdminResponse{200, "text/plain; charset=utf-8", "reloaded\n"});
      } else {
        respond(AdminResponse{500, "text/plain; charset=utf-8", "reload failed: " + error + "\n"});
      }
    });
    if (!started) respond(AdminResponse{409, "text/plain; charset=utf-8", "a reload is already running\n"});
  };
}

}  // namespace ingestd
