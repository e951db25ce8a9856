// POST /reload and SIGHUP: reloads run on a thread of their own, one at a time, so
// the control thread, which serves /healthz and /readyz, handles signals and arms the
// exit timer, is never held up by one (compiling a taxonomy takes seconds of CPU).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/admin_server.h"

namespace ingestd {

// Runs `reload` (Processor::Reload) on its own thread, one reload at a time; a request
// while one runs is refused, not queued (the caller answers 409 or logs it).
//
// Threading: TryStart and running() from any thread; `reload` and `done` run on the
// reloader's thread. Lifecycle: the destructor waits for a running reload, so destroy
// the reloader before what `reload` uses and before the io_context `done` posts to.
class Reloader {
 public:
  using Done = std::function<void(bool ok, const std::string& error)>;

  explicit Reloader(std::function<bool(std::string*)> reload);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Starts a reload unless one is running (false then). `done` gets its result.
  [[nodiscard]] bool TryStart(Done done);
  [[nodiscard]] bool running() const;

 private:
  void Loop();

  const std::function<bool(std::string*)> reload_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Done pending_;       // the reload asked for, until the thread takes it
  bool busy_ = false;  // a reload is asked for or running
  bool stop_ = false;
  std::thread thread_;  // last: started once the members above exist
};

// POST /reload: 200 "reloaded", 500 with the error, or 409 while another reload runs.
// Answers when the reload is done, from the reloader's thread.
[[nodiscard]] AsyncAdminHandler ReloadHandler(Reloader& reloader);

}  // namespace ingestd
