#!/usr/bin/env python3
"""The fault suite (ctest label `reliability`): `ingestd run` against `ingestd
embedded-broker` while kcat keeps feeding articles, with faults injected. Each case
ends by checking that every input offset appears in exactly one output topic
(duplicates only for records in flight at a kill, bounded) and prints the counts.

  reliability_test.py CASE --binary build/ingestd

Builds on the runtime's integration harness (tests/integration/harness.py): the
broker and daemon processes, kcat produce/consume and the exactly-once check.
"""
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import (  # noqa: E402
    Broker,
    Daemon,
    check,
    check_no_copy_of_itself,
    check_every_input_once,
    count_outputs,
    input_positions,
    make_articles,
    produce,
    run_case,
    stop_daemon,
    wait_all_out,
    wait_every_input_out,
    wait_for,
)

INFLIGHT = 500  # runtime.max_inflight_records in the harness' config


class Feeder(threading.Thread):
    """Writes `records` to articles.raw with kcat in batches at about `rate` per second,
    for as long as it takes (a broker outage just stalls it)."""

    def __init__(self, bootstrap, records, rate, batch=100):
        super().__init__(daemon=True)
        self.bootstrap, self.records, self.rate, self.batch = bootstrap, records, rate, batch
        self.sent = 0
        self.error = None

    def run(self):
        try:
            start = time.monotonic()
            for i in range(0, len(self.records), self.batch):
                # Pacing a load generator, not synchronising a test: the rate is the input.
                delay = start + i / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.produce(self.records[i : i + self.batch])
                self.sent = i + len(self.records[i : i + self.batch])
        except Exception as e:  # reported by finish()
            self.error = e

    def produce(self, records):
        # harness.produce() without kcat's exit on transport errors (-E): a broker
        # outage stalls the feed instead of ending it.
        lines = "".join(f"{k}\t{v}\n" for k, v in records)
        subprocess.run(["kcat", "-P", "-E", "-b", self.bootstrap, "-t", "articles.raw", "-K", "\t"], input=lines,
                       text=True, check=True, timeout=300)

    def finish(self, timeout):
        self.join(timeout)
        check(not self.is_alive(), f"the feeder did not finish within {timeout}s ({self.sent} sent)")
        check(self.error is None, f"the feeder failed: {self.error}")


class RssSampler(threading.Thread):
    """Peak resident memory of a process, sampled from /proc every 50 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.wait(0.05):
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except OSError:
                return


def case_repeated_sigkill(binary, work):
    """SIGKILL and restart four times while kcat feeds: nothing lost, repeats bounded.
    Dedupe is in the chain, sharing its index through the compacted topic: a record
    consumed again after a kill finds its own entry there (restored at the restart) and
    must still go where it went before, never to duplicates as a copy of itself."""
    partitions, inflight, kills, n = 4, 200, 4, 4000
    broker = Broker(binary, partitions=partitions)
    try:
        broker.command("rtt 1 10")
        # 80/s: the feed (50 s) outlasts the four kill-and-rejoin cycles (6-10 s each, the
        # session timeout), so the last kill still finds work; at 400/s the feed ended
        # first and a fast daemon had drained everything before the last kill.
        feeder = Feeder(broker.bootstrap, make_articles(n, seed_prefix="k"), rate=80)
        feeder.start()
        sets = [f"runtime.max_inflight_records={inflight}", "pipeline.stages=[normalize,dedupe]"]
        daemon = Daemon(binary, work, "d0", broker.bootstrap, sets=sets)
        killed_at = []
        for k in range(kills):
            target = (k + 1) * n // (kills + 2)
            wait_all_out(broker.bootstrap, target, 90, [daemon])
            daemon.kill()
            killed_at.append(count_outputs(broker.bootstrap))
            daemon = Daemon(binary, work, f"d{k + 1}", broker.bootstrap, sets=sets)
        feeder.finish(120)
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        check(killed_at[-1] < n, "everything was done before the last kill; the test proves nothing")
        wait_every_input_out(broker.bootstrap, inputs, 120)
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=kills * inflight)
        check_no_copy_of_itself(out)
        print(f"repeated_sigkill: {kills} kills at outputs {killed_at}; {n} inputs, {out.total()} outputs, "
              f"{out.total() - n} repeats (bound {kills * inflight}); "
              f"{len(out.records['articles.duplicates'])} duplicates, none a copy of itself", flush=True)
        stop_daemon(daemon)
    finally:
        broker.stop()


def case_broker_faults(binary, work):
    """Request errors, then one of three brokers (the group coordinator) down until the
    group session is lost, and up again, while kcat feeds: the daemon recovers without a
    restart, nothing lost."""
    partitions, n = 6, 3000
    broker = Broker(binary, partitions=partitions, brokers=3)
    try:
        feeder = Feeder(broker.bootstrap, make_articles(n, seed_prefix="b"), rate=300)
        feeder.start()
        d = Daemon(binary, work, "d", broker.bootstrap)
        wait_all_out(broker.bootstrap, 300, 90, [d])
        # Retriable errors on Produce (0) and Fetch (1): NOT_LEADER_OR_FOLLOWER=6,
        # REQUEST_TIMED_OUT=7. (Coordinator errors with a broker down as well: see the
        # report of issue 10; the runtime's own broker_errors test covers them alone.)
        for line in ("errors 0 6 20", "errors 0 7 10", "errors 1 6 20"):
            broker.command(line)
        wait_all_out(broker.bootstrap, 1000, 90, [d])
        # Broker 2 leads some partitions and is the group's coordinator (the mock picks it
        # from the group id). It stays down until the group session has timed out
        # (session.timeout.ms 6000): the assignment is lost with records in flight and,
        # as they pile up behind the dead broker, the partitions paused. The daemon used
        # to stall for good there (librdkafka keeps the pause across the re-assignment).
        broker.command("down 2")
        wait_for(lambda: "(lost)" in d.log_text(), 30, "the group session to be lost", 0.3)
        broker.command("up 2")
        feeder.finish(120)
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        wait_every_input_out(broker.bootstrap, inputs, 120)
        # Losing the group coordinator ends the session: the group rebalances without a
        # commit, so records since the last commit come again (bounded by in flight).
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=INFLIGHT)
        d.wait_ready()  # recovered: consuming normally again, no condition held
        print(f"broker_faults: {n} inputs, {out.total()} outputs ({out.total() - n} repeats, bound {INFLIGHT}), "
              "no restart", flush=True)
        stop_daemon(d)
    finally:
        broker.stop()


def case_backpressure(binary, work):
    """Slow acknowledgements (200 ms round trips) with small in-flight bounds: the
    daemon holds back at the bound instead of buffering (the in-flight gauges never
    pass the bounds, memory stays flat) and does not pause, since each hold ends with
    the next commit; then the broker refuses every produce for a while: the bound stays
    reached, so after runtime.pause_after_ms the partitions are paused; then acks
    resume and everything comes out once."""
    partitions, n, inflight, inflight_bytes, pause_after_ms = 4, 3000, 100, 1 << 20, 3000
    broker = Broker(binary, partitions=partitions)
    try:
        broker.command("rtt 1 200")
        produce(broker.bootstrap, "articles.raw", make_articles(n, seed_prefix="p"))
        inputs = input_positions(broker.bootstrap)
        d = Daemon(binary, work, "d", broker.bootstrap,
                   sets=[f"runtime.max_inflight_records={inflight}", f"runtime.max_inflight_bytes={inflight_bytes}",
                         f"runtime.pause_after_ms={pause_after_ms}"])
        rss = RssSampler(d.proc.pid)
        rss.start()
        peak_inflight = peak_bytes = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and count_outputs(broker.bootstrap) < n // 3:
            peak_inflight = max(peak_inflight, d.metric("ingestd_inflight_records"))
            peak_bytes = max(peak_bytes, d.metric("ingestd_inflight_bytes"))
        check(peak_inflight <= inflight, f"in flight {peak_inflight} > bound {inflight}")
        check(peak_inflight >= inflight * 0.9, f"in flight peaked at {peak_inflight}: the bound was never reached")
        # Over by at most what the records taken before the bound encode meanwhile.
        check(peak_bytes <= inflight_bytes + (1 << 16), f"in-flight bytes {peak_bytes} above the bound")
        check(d.metric("ingestd_backpressure_pauses_total") == 0, "paused although every hold ended with a commit")
        check(count_outputs(broker.bootstrap) < n, "drained before the check; proves nothing")

        # Produce requests fail (NOT_ENOUGH_REPLICAS, retried by the producer): nothing
        # is acknowledged, the hold lasts, the partitions are paused.
        broker.command("rtt 1 0")
        broker.command("errors 0 19 1000000")
        stalled_at = time.monotonic()
        wait_for(lambda: d.metric("ingestd_paused_partitions") == partitions, 30, "the partitions paused")
        check(time.monotonic() - stalled_at >= pause_after_ms / 1000 * 0.9, "paused before pause_after_ms")
        check(d.metric("ingestd_backpressure_pauses_total") == 1, "expected one pause")
        check(d.metric("ingestd_inflight_records") <= inflight, "in flight above the bound while paused")
        broker.command("clear 0")
        wait_all_out(broker.bootstrap, n, 120, [d])
        wait_for(lambda: d.metric("ingestd_paused_partitions") == 0, 30, "the partitions resumed")
        rss.stop.set()
        rss.join()
        check_every_input_once(broker.bootstrap, inputs, allow_extra=0)
        check(rss.peak_kib < 256 * 1024, f"peak RSS {rss.peak_kib / 1024:.0f} MiB")
        print(f"backpressure: peak in flight {peak_inflight:.0f} records (bound {inflight}), {peak_bytes:.0f} bytes "
              f"(bound {inflight_bytes}), no pause while acks were slow, one pause during the produce stall, peak RSS "
              f"{rss.peak_kib / 1024:.0f} MiB, {n} inputs each out once", flush=True)
        stop_daemon(d)
    finally:
        broker.stop()


def case_soak(binary, work):
    """30 seconds at a steady 200 articles/s: every record out once, memory flat."""
    partitions, rate, seconds = 4, 200, 30
    n = rate * seconds
    broker = Broker(binary, partitions=partitions)
    try:
        d = Daemon(binary, work, "d", broker.bootstrap)
        d.wait_ready()
        rss = RssSampler(d.proc.pid)
        rss.start()
        feeder = Feeder(broker.bootstrap, make_articles(n, seed_prefix="s"), rate=rate, batch=50)
        feeder.start()
        # RSS after the first third, when caches and buffers have warmed up.
        wait_all_out(broker.bootstrap, n // 3, 60, [d])
        warm_kib = rss.peak_kib
        feeder.finish(seconds * 3)
        wait_all_out(broker.bootstrap, n, 60, [d])
        rss.stop.set()
        rss.join()
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=0)
        growth = (rss.peak_kib - warm_kib) / 1024
        check(growth < 64, f"RSS grew by {growth:.0f} MiB during the soak")
        print(f"soak: {n} articles in {seconds}s at {rate}/s, {out.total()} outputs, RSS {warm_kib / 1024:.0f} -> "
              f"{rss.peak_kib / 1024:.0f} MiB", flush=True)
        stop_daemon(d)
    finally:
        broker.stop()


CASES = {
    "repeated_sigkill": case_repeated_sigkill,
    "broker_faults": case_broker_faults,
    "backpressure": case_backpressure,
    "soak": case_soak,
}


if __name__ == "__main__":
    sys.exit(run_case(CASES, budget=270))  # ctest's TIMEOUT is 300
