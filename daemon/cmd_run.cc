// `ingestd run`: the daemon. Wires the production pieces together, in one place:
// config -> logging -> stages -> Processor -> admin server -> Kafka runtime, and
// runs the control thread (signals, admin requests, reloads) until the runtime
// has drained.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "daemon/admin_handlers.h"
#include "daemon/admin_reload_handler.h"
#include "daemon/admin_server.h"
#include "daemon/commands.h"
#include "daemon/dedupe_log_kafka.h"
#include "daemon/embedded_broker.h"
#include "daemon/exit_watchdog.h"
#include "daemon/kafka_runtime.h"
#include "daemon/logging.h"
#include "daemon/observability.h"
#include "daemon/processor.h"
#include "daemon/readiness.h"
#include "stages/registry.h"

namespace ingestd {
namespace {

// The share of runtime.shutdown_grace_ms given to finishing in-flight records; the
// rest is for the final commit, leaving the group and flushing the producer.
constexpr double kDrainShareOfGrace = 0.7;

// The dedupe restore has no time limit while entries keep coming (a large index
// takes minutes); it fails, and the process exits 1, when the broker serves nothing
// for this long.
constexpr std::chrono::minutes kRestoreStallTimeout{2};

}  // namespace

int RunCommand(const Args& args) {
  namespace po = boost::program_options;
  ConfigOptions config_options;
  int embedded_partitions = 4;
  po::options_description desc("run options");
  config_options.Add(desc);
  desc.add_options()("embedded-kafka", "start an embedded broker (librdkafka's mock cluster) in this process")(
      "embedded-partitions", po::value<int>(&embedded_partitions)->default_value(4),
      "partitions per topic of the embedded broker");
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args,
                 "usage: ingestd run --config FILE [--set key.path=value]... [--embedded-kafka] "
                 "[--embedded-partitions N]",
                 desc, vm, &code)) {
    return code;
  }
  if (embedded_partitions < 1) {
    std::cerr << "ingestd: run: --embedded-partitions must be at least 1\n";
    return 2;
  }
  std::shared_ptr<const Config> config = config_options.Load();
  if (!config) return 1;
  SetUpLogging(config->logging);
  config = WithStatisticsInterval(std::move(config));

  std::optional<EmbeddedBroker> broker;
  if (vm.count("embedded-kafka")) {
    const KafkaTopics& t = config->kafka.topics;
    try {
      broker.emplace(1, embedded_partitions,
                     std::vector<std::string>{t.input, t.enriched, t.duplicates, t.dead_letter, t.dedupe_index});
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      return 1;
    }
    auto copy = std::make_shared<Config>(*config);
    copy->kafka.brokers = broker->bootstrap();
    config = std::move(copy);
    spdlog::info("embedded kafka listening on {}", broker->bootstrap());
  }

  try {
    auto registry = std::make_shared<prometheus::Registry>();
    SystemClock clock;
    PipelineProbe probe(*registry);
    auto stages = BuildStages(*config, StageContext{registry.get(), &clock});
    // Every client's Kafka config, before anything starts (check-config checks the
    // same): the dedupe index restore would find a missing broker list only 10 s later.
    CheckKafkaClients(*config, FindDedupeStage(stages) != nullptr);
    Processor processor(config, std::move(stages), probe);
    Readiness readiness;
    Observability observability(config, *registry, readiness, clock);
    // A forced exit's summary (the second signal's, the watchdog's): it keeps the registry,
    // so the watchdog's thread may still run it while this scope is being left.
    const auto forced_summary = observability.ForcedSummary(registry);
    ExitWatchdog exit_watchdog(forced_summary);  // outlives the runtime, whose fatal listener arms it

    boost::asio::io_context io;
    AdminServer admin(io, config->admin.address, config->admin.port);
    // Reloads run on the reloader's thread, never on the control thread (io), which
    // must stay free for /healthz, /readyz and signals. Destroyed before io.
    Reloader reloader([&processor](std::string* error) {
      spdlog::info("reload started");
      const bool ok = processor.Reload(error);
      if (ok) {
        spdlog::info("reloaded");
      } else {
        spdlog::error("reload failed: {}", *error);
      }
      return ok;
    });
    // Declared before the runtime, which may wait on it (its commit gate) until destroyed.
    std::unique_ptr<DedupeLogKafka> dedupe_log;
    KafkaRuntime runtime(config, processor, readiness, *registry);
    admin.Handle("GET", "/metrics", MetricsHandler(*registry));
    // Liveness: 503 when the consumer thread is wedged (its loop polls every 100 ms), or
    // when records are pending and nothing moves (the observability watchdog).
    admin.Handle("GET", "/healthz", HealthzHandler(readiness, [&runtime, progress_stuck = observability.StuckCheck()] {
                   std::string why = runtime.LoopStallReason();
                   return why.empty() ? progress_stuck() : why;
                 }));
    admin.Handle("GET", "/readyz", ReadyzHandler(readiness));
    admin.HandleAsync("POST", "/reload", ReloadHandler(reloader));
    observability.AddHandlers(admin);
    admin.Start();
    spdlog::info("admin server listening on {}:{}", admin.address(), admin.port());

    runtime.SetFinishedCallback([&io] { boost::asio::post(io, [&io] { io.stop(); }); });
    observability.Attach(runtime);
    observability.StartTimer(io);

    const auto grace = std::chrono::milliseconds(config->runtime.shutdown_grace_ms);
    // Closing the clients can hang (a broker gone, a blocked commit): whatever stops
    // the run, the process is gone by the end of the grace period.
    runtime.SetFatalListener([&exit_watchdog, grace] { exit_watchdog.Arm(grace); });
    bool stopping = false;        // control thread
    bool restore_failed = false;  // control thread
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                               int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        if (!reloader.TryStart([](bool, const std::string&) {})) spdlog::warn("SIGHUP: a reload is already running");
      } else if (!stopping) {
        stopping = true;
        spdlog::info("{}: stopping (grace {} ms; send it again to exit at once)", strsignal(signo), grace.count());
        readiness.Hold(KafkaRuntime::kReadinessCondition, "draining");
        if (dedupe_log) dedupe_log->CancelRestore();
        runtime.RequestStop(std::chrono::milliseconds(static_cast<int64_t>(grace.count() * kDrainShareOfGrace)));
        exit_watchdog.Arm(grace);
      } else {
        spdlog::warn("{} again: exiting now", strsignal(signo));
        forced_summary("second_signal");
        std::_Exit(128 + signo);
      }
      signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    // The dedupe index is restored from the shared topic before anything is consumed,
    // on a thread of its own: the admin server answers meanwhile (/healthz 200, /readyz
    // 503 "restoring dedupe index: N entries"), so a long restore never looks like a
    // dead process to a liveness probe. The runtime starts on the control thread once
    // the restore is done (not at all when it failed or a signal stopped it).
    std::jthread restorer;
    if (DedupeStage* dedupe = FindDedupeStage(processor.stages())) {
      readiness.Hold(DedupeLogKafka::kReadinessCondition, "restoring dedupe index: 0 entries");
      dedupe_log = std::make_unique<DedupeLogKafka>(*config, *dedupe, *registry);
      restorer = std::jthread([&, dedupe] {
        const std::string& topic = config->kafka.topics.dedupe_index;
        auto logged_at = std::chrono::steady_clock::now();
        auto progress = [&](size_t applied, size_t read, size_t total) {
          readiness.Hold(DedupeLogKafka::kReadinessCondition,
                         fmt::format("restoring dedupe index: {} entries", applied));
          if (std::chrono::steady_clock::now() - logged_at >= std::chrono::seconds(5)) {
            logged_at = std::chrono::steady_clock::now();
            spdlog::info("dedupe index: restoring from {}: {} entries applied, {} of at most {} records read", topic,
                         applied, read, total);
          }
        };
        bool ok = true;
        try {
          const size_t restored = dedupe_log->Restore(kRestoreStallTimeout, progress);
          spdlog::info("dedupe index: restored {} entries from {}{}", restored, topic,
                       dedupe_log->RestoreCancelled() ? " (stopped early)" : "");
        } catch (const std::exception& e) {
          spdlog::critical("{}", e.what());
          readiness.MarkFatal(e.what());
          exit_watchdog.Arm(grace);  // closing the log's clients can hang on the broker that failed it
          ok = false;
        }
        boost::asio::post(io, [&, dedupe, ok] {
          if (!ok) restore_failed = true;
          if (!ok || stopping) {
            io.stop();
            return;
          }
          dedupe->SetLog(dedupe_log.get());
          // A record's offset is committed once its index entry is delivered: a replica
          // restoring after a crash finds the entry of every committed record.
          runtime.SetCommitGate(dedupe_log.get());
          dedupe_log->Start();
          readiness.Release(DedupeLogKafka::kReadinessCondition);
          runtime.Start();
        });
      });
    } else {
      runtime.Start();
    }

    io.run();
    admin.Stop();
    if (restorer.joinable()) restorer.join();
    const int exit_code = restore_failed ? 1 : runtime.Wait();
    // Before anything that could still run into the exit watchdog.
    observability.LogSummary(runtime.LeftUncommitted());
    // The index log's flush gets what is left of the grace period, less a second to
    // destroy its clients: with the index topic down, the runtime's final commit has
    // already waited for it, and the process must still be gone within the grace.
    if (dedupe_log) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(runtime.CloseBy() - std::chrono::steady_clock::now());
      dedupe_log->Stop(std::clamp<std::chrono::milliseconds>(left - std::chrono::seconds(1),
                                                             std::chrono::milliseconds(0), std::chrono::seconds(5)));
    }
    // State kept from one run to the next (the normalize learner's snapshot): a
    // failure is logged, not fatal: the next run learns again from the stream.
    for (const auto& stage : processor.stages()) {
      std::string error;
      if (!stage->Persist(&error)) spdlog::error("{}", error);
    }
    spdlog::info("exiting with {}", exit_code);
    return exit_code;
  } catch (const KafkaConfigError& e) {
    spdlog::critical("config error: {}: {}", config->file, e.what());
  } catch (const std::exception& e) {
    spdlog::critical("run: {}", e.what());
  }
  return 1;
}

}  // namespace ingestd
