#!/usr/bin/env python3
"""The fault suite (ctest label `reliability`): `ingestd run` against `ingestd
embedded-broker` while kcat keeps feeding articles, with faults injected. Each case
ends by checking that every input offset appears in exactly one output topic
(duplicates only for records in flight at a kill, bounded) and prints the counts.

  reliability_test.py CASE --binary build/ingestd

Builds on the runtime's integration harness (tests/integration/harness.py): the
broker and daemon processes, kcat produce/consume and the exactly-once check.
"""
import argparse
import glob
import os
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import RUNNING, Broker, Daemon, Outputs, check, make_articles, produce, wait_for  # noqa: E402
from kafka_runtime_test import check_every_input_once, input_positions  # noqa: E402

OUTPUTS = ("articles.enriched", "articles.duplicates", "articles.dead-letter")
INFLIGHT = 500  # runtime.max_inflight_records in the harness' config


def end_offsets(bootstrap, topics, partitions):
    """Acknowledged records in `topics` (sum of high watermarks): cheap to poll."""
    import subprocess

    args = ["kcat", "-Q", "-b", bootstrap]
    for t in topics:
        for p in range(partitions):
            args += ["-t", f"{t}:{p}:-1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    total = 0
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[-2] == "offset":
            total += max(0, int(parts[-1]))
    return total


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
        import subprocess

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


def wait_outputs(broker, partitions, n, timeout, daemons):
    seen = [0]

    def done():
        for d in daemons:
            check(d.proc.poll() is None, f"{d.name} exited with {d.proc.returncode}:\n{d.log_text()[-3000:]}")
        seen[0] = end_offsets(broker.bootstrap, OUTPUTS, partitions)
        return seen[0] >= n

    try:
        wait_for(done, timeout, f"{n} output records", interval=0.3)
    except AssertionError as e:
        raise AssertionError(f"{e} (have {seen[0]})") from None


def wait_every_input_out(broker, inputs, timeout):
    """Until every input position has an output. (Counting outputs is not enough after
    a kill: re-delivered records count too.)"""
    wait_for(lambda: len(Outputs(broker.bootstrap).by_position) >= len(inputs) or None, timeout,
             "every input in the outputs", interval=0.5)


def stop(daemon):
    daemon.signal(signal.SIGTERM)
    check(daemon.wait_exit(20) == 0, f"{daemon.name} did not exit 0 after SIGTERM")


def case_repeated_sigkill(binary, work):
    """SIGKILL and restart four times while kcat feeds: nothing lost, repeats bounded."""
    partitions, inflight, kills, n = 4, 200, 4, 4000
    broker = Broker(binary, partitions=partitions)
    try:
        broker.command("rtt 1 10")
        feeder = Feeder(broker.bootstrap, make_articles(n, seed_prefix="k"), rate=400)
        feeder.start()
        sets = [f"runtime.max_inflight_records={inflight}"]
        daemon = Daemon(binary, work, "d0", broker.bootstrap, sets=sets)
        killed_at = []
        for k in range(kills):
            target = (k + 1) * n // (kills + 2)
            wait_outputs(broker, partitions, target, 90, [daemon])
            daemon.kill()
            killed_at.append(end_offsets(broker.bootstrap, OUTPUTS, partitions))
            daemon = Daemon(binary, work, f"d{k + 1}", broker.bootstrap, sets=sets)
        feeder.finish(120)
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        check(killed_at[-1] < n, "everything was done before the last kill; the test proves nothing")
        wait_every_input_out(broker, inputs, 120)
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=kills * inflight)
        print(f"repeated_sigkill: {kills} kills at outputs {killed_at}; {n} inputs, {out.total()} outputs, "
              f"{out.total() - n} repeats (bound {kills * inflight})", flush=True)
        stop(daemon)
    finally:
        broker.stop()


def case_broker_faults(binary, work):
    """Request errors, then one of three brokers down and up, while kcat feeds."""
    partitions, n = 6, 3000
    broker = Broker(binary, partitions=partitions, brokers=3)
    try:
        feeder = Feeder(broker.bootstrap, make_articles(n, seed_prefix="b"), rate=300)
        feeder.start()
        d = Daemon(binary, work, "d", broker.bootstrap)
        wait_outputs(broker, partitions, 300, 90, [d])
        # Retriable errors on Produce (0) and Fetch (1): NOT_LEADER_OR_FOLLOWER=6,
        # REQUEST_TIMED_OUT=7. (Coordinator errors with a broker down as well: see the
        # report of issue 10; the runtime's own broker_errors test covers them alone.)
        for line in ("errors 0 6 20", "errors 0 7 10", "errors 1 6 20"):
            broker.command(line)
        wait_outputs(broker, partitions, 1000, 90, [d])
        broker.command("down 2")
        seen = end_offsets(broker.bootstrap, OUTPUTS, partitions)
        # Down until the daemon has been through it: some records came out meanwhile
        # (other brokers' partitions) or it logged the outage.
        wait_for(lambda: end_offsets(broker.bootstrap, OUTPUTS, partitions) > seen + 200
                 or "down" in d.log_text().lower() or "refused" in d.log_text().lower(), 60,
                 "the daemon to work through the outage", 0.3)
        broker.command("up 2")
        feeder.finish(120)
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        wait_every_input_out(broker, inputs, 120)
        # Losing the group coordinator ends the session: the group rebalances without a
        # commit, so records since the last commit come again (bounded by in flight).
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=INFLIGHT)
        print(f"broker_faults: {n} inputs, {out.total()} outputs ({out.total() - n} repeats, bound {INFLIGHT}), "
              "no restart", flush=True)
        stop(d)
    finally:
        broker.stop()


def case_backpressure(binary, work):
    """Slow acknowledgements (200 ms round trips) with small in-flight bounds: the
    daemon pauses instead of buffering, the in-flight gauge never passes the bound and
    memory stays flat; then acks speed up and everything comes out once."""
    partitions, n, inflight, inflight_bytes = 4, 3000, 100, 1 << 20
    broker = Broker(binary, partitions=partitions)
    try:
        broker.command("rtt 1 200")
        produce(broker.bootstrap, "articles.raw", make_articles(n, seed_prefix="p"))
        inputs = input_positions(broker.bootstrap)
        d = Daemon(binary, work, "d", broker.bootstrap,
                   sets=[f"runtime.max_inflight_records={inflight}", f"runtime.max_inflight_bytes={inflight_bytes}"])
        rss = RssSampler(d.proc.pid)
        rss.start()
        peak_inflight = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and end_offsets(broker.bootstrap, OUTPUTS, partitions) < n // 3:
            peak_inflight = max(peak_inflight, d.metric("ingestd_inflight_records"))
            check(d.metric("ingestd_inflight_bytes") <= inflight_bytes + (1 << 16), "in-flight bytes above the bound")
        check(peak_inflight <= inflight, f"in flight {peak_inflight} > bound {inflight}")
        check(end_offsets(broker.bootstrap, OUTPUTS, partitions) < n, "drained before the check; proves nothing")
        broker.command("rtt 1 0")
        wait_outputs(broker, partitions, n, 120, [d])
        rss.stop.set()
        rss.join()
        check_every_input_once(broker.bootstrap, inputs, allow_extra=0)
        check(rss.peak_kib < 256 * 1024, f"peak RSS {rss.peak_kib / 1024:.0f} MiB")
        print(f"backpressure: peak in flight {peak_inflight:.0f} (bound {inflight}), peak RSS "
              f"{rss.peak_kib / 1024:.0f} MiB, {n} inputs each out once", flush=True)
        stop(d)
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
        wait_outputs(broker, partitions, n // 3, 60, [d])
        warm_kib = rss.peak_kib
        feeder.finish(seconds * 3)
        wait_outputs(broker, partitions, n, 60, [d])
        rss.stop.set()
        rss.join()
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == n, f"{len(inputs)} inputs in the topic, expected {n}")
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=0)
        growth = (rss.peak_kib - warm_kib) / 1024
        check(growth < 64, f"RSS grew by {growth:.0f} MiB during the soak")
        print(f"soak: {n} articles in {seconds}s at {rate}/s, {out.total()} outputs, RSS {warm_kib / 1024:.0f} -> "
              f"{rss.peak_kib / 1024:.0f} MiB", flush=True)
        stop(d)
    finally:
        broker.stop()


CASES = {
    "repeated_sigkill": case_repeated_sigkill,
    "broker_faults": case_broker_faults,
    "backpressure": case_backpressure,
    "soak": case_soak,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix=f"ingestd-{args.case}-") as work:
        try:
            CASES[args.case](args.binary, work)
        except AssertionError as e:
            print(f"FAIL {args.case}: {e}", file=sys.stderr)
            for log in sorted(glob.glob(f"{work}/*.log")):
                print(f"--- {log} (tail)", file=sys.stderr)
                with open(log) as f:
                    print(f.read()[-4000:], file=sys.stderr)
            return 1
        finally:
            for d in RUNNING:
                d.kill()
    print(f"PASS {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
