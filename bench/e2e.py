#!/usr/bin/env python3
"""End-to-end benchmark: `ingestd run` against a kcat consume-and-produce pipe.

Both read the same input topic of the same embedded broker (`ingestd embedded-broker`),
in the same run, one after the other, each as its own consumer group:

  throughput  N generated articles are loaded first; each pipeline then drains them
              into its own output topics. Rate = N / (last output timestamp - first
              output timestamp), so group joins and start-up are left out for both.
              CPU seconds and peak RSS come from the process' rusage (wait4), start to
              exit, drain and flush included. Repeated --runs times; medians printed.
  latency     --latency-count records written at --latency-rate per second while ingestd
              runs: output CreateTime - input CreateTime per record (input produce ->
              broker -> consume -> process -> produce), percentiles. Not for kcat: kcat -P
              reads its stdin in blocks, so it would measure kcat's buffer fill time.

The kcat pipe is `kcat -C -G group -f '%p:%o\\t%s\\n' | kcat -P -K '\\t'` with the same
producer guarantees as ingestd (idempotence, acks=all, linger.ms=5): the lower bound
of any consume-transform-produce daemon on this broker and machine.

  bench/e2e.sh --binary build/ingestd --count 4000 --runs 3
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Broker, Daemon, RUNNING, check, wait_for  # noqa: E402  (the runtime's test harness)

CHILDREN = []  # kcat processes, killed if the run fails
PRODUCER_SETTINGS = ["-X", "enable.idempotence=true", "-X", "acks=all", "-X", "linger.ms=5"]


def rusage_wait(proc):
    """Waits for a child and returns (exit code, cpu seconds, peak RSS in MiB)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def end_offsets(bootstrap, topics, partitions):
    """Sum of the high watermarks of `topics` (acknowledged records)."""
    args = ["kcat", "-Q", "-b", bootstrap]
    for t in topics:
        for p in range(partitions):
            args += ["-t", f"{t}:{p}:-1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    total = 0
    for line in r.stdout.splitlines():
        # "topic [p] offset N"
        parts = line.split()
        if len(parts) >= 4 and parts[-2] == "offset":
            total += max(0, int(parts[-1]))
    return total


def read_topic(bootstrap, topic, fmt):
    r = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", fmt],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"kcat -C {topic}: {r.stderr}")
    return r.stdout


def timestamps(bootstrap, topics):
    out = []
    for t in topics:
        out += [int(x) for x in read_topic(bootstrap, t, "%T\n").split()]
    return out


def keyed(lines, prefix):
    """Keys spread records over partitions (kcat's null-key batches stick to one)."""
    return [f"{prefix}{i}\t{line}" for i, line in enumerate(lines)]


def load(bootstrap, topic, lines):
    """Writes key<TAB>value lines."""
    p = subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t"] + PRODUCER_SETTINGS,
                       input="".join(lines), text=True, timeout=300)
    check(p.returncode == 0, "loading the corpus failed")


def paced_feed(bootstrap, topic, lines, rate):
    """Writes lines to kcat -P at `rate` per second (a benchmark's pacing, not a test's sleep)."""
    p = subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t"] + PRODUCER_SETTINGS,
                         stdin=subprocess.PIPE, text=True)
    start = time.monotonic()
    for i, line in enumerate(lines):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        p.stdin.write(line)
        p.stdin.flush()
    p.stdin.close()
    check(p.wait(timeout=60) == 0, "paced feed failed")


class Topics:
    """Per-run output topic names, created up front."""

    def __init__(self, tag):
        self.enriched = f"bench.{tag}.enriched"
        self.duplicates = f"bench.{tag}.duplicates"
        self.dead_letter = f"bench.{tag}.dead-letter"
        self.pipe = f"bench.{tag}.kcat"

    def daemon(self):
        return [self.enriched, self.duplicates, self.dead_letter]


def run_daemon(args, broker, work, tag, input_topic, n, feed=None, extra_sets=()):
    t = Topics(tag)
    sets = list(extra_sets) + [f"kafka.group_id=bench-{tag}", f"kafka.topics.input={input_topic}",
            f"kafka.topics.enriched={t.enriched}", f"kafka.topics.duplicates={t.duplicates}",
            f"kafka.topics.dead_letter={t.dead_letter}", f"runtime.workers={args.workers}",
            f"runtime.max_inflight_records={args.max_inflight}",
            f"pipeline.stages=[{args.stages}]"]
    d = Daemon(args.binary, work, f"ingestd-{tag}", broker.bootstrap, sets=sets)
    if feed:
        feed()
    wait_for(lambda: d.proc.poll() is not None or end_offsets(broker.bootstrap, t.daemon(), args.partitions) >= n,
             args.timeout, f"ingestd ({tag}) to write {n} records", interval=0.2)
    check(d.proc.poll() is None, f"ingestd exited early:\n{d.log_text()[-3000:]}")
    d.signal(signal.SIGTERM)
    code, cpu, rss = rusage_wait(d.proc)
    check(code == 0, f"ingestd exited with {code}:\n{d.log_text()[-3000:]}")
    return t.daemon(), cpu, rss


def run_kcat(args, broker, tag, input_topic, n, feed=None):
    t = Topics(tag)
    # Unbuffered (-u) when measuring latency: a pipe's block buffer would hold records.
    consumer = subprocess.Popen(["kcat", "-C", "-b", broker.bootstrap, "-G", f"kcat-{tag}", "-X",
                                 "auto.offset.reset=earliest", "-c", str(n), "-q", "-f", "%p:%o\t%s\n"]
                                + (["-u"] if feed else []) + [input_topic], stdout=subprocess.PIPE)
    producer = subprocess.Popen(["kcat", "-P", "-b", broker.bootstrap, "-t", t.pipe, "-K", "\t"] + PRODUCER_SETTINGS,
                                stdin=consumer.stdout)
    consumer.stdout.close()
    CHILDREN.extend([consumer, producer])
    if feed:
        feed()
    _, c_cpu, c_rss = rusage_wait(consumer)
    code, p_cpu, p_rss = rusage_wait(producer)
    check(code == 0, f"kcat -P exited with {code}")
    return [t.pipe], c_cpu + p_cpu, c_rss + p_rss


def local_stages():
    """pipeline.stages of config/local.yaml: the chain the project runs locally."""
    import re

    with open(os.path.join(ROOT, "config", "local.yaml")) as f:
        m = re.search(r"^pipeline:\s*\n\s+stages:\s*\[([^\]]*)\]", f.read(), re.M)
    return ",".join(x.strip() for x in m.group(1).split(",")) if m else "normalize"


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "ingestd"))
    ap.add_argument("--count", type=int, default=4000, help="articles per throughput run")
    ap.add_argument("--size", type=int, default=6000, help="mean article text bytes")
    ap.add_argument("--dup-rate", type=float, default=0.2)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-inflight", type=int, default=10000)
    ap.add_argument("--stages", default=local_stages(),
                    help="comma-separated stages for ingestd (default: config/local.yaml's); '' for none")
    ap.add_argument("--latency-count", type=int, default=1000)
    ap.add_argument("--latency-rate", type=float, default=200.0, help="records per second in the latency phase")
    ap.add_argument("--fetch-wait-ms", type=int, default=10, help="fetch.wait.max.ms in the latency phase")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="ingestd-e2e.")
    corpus = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_corpus"), "--count", str(args.count),
                             "--seed", "1", "--dup-rate", str(args.dup_rate), "--size", str(args.size)],
                            capture_output=True, text=True, check=True).stdout.splitlines(keepends=True)
    text_bytes = 0
    for line in corpus:
        rec = json.loads(line)
        text_bytes += len(rec.get("text", "").encode()) + len(rec.get("html", "").encode())
    record_bytes = sum(len(line.encode()) - 1 for line in corpus)

    topics = ["articles.raw", "latency.raw"]
    for r in range(args.runs):
        topics += Topics(f"d{r}").daemon() + [Topics(f"k{r}").pipe]
    topics += Topics("dl").daemon()
    broker = Broker(args.binary, partitions=args.partitions, topics=topics)
    results = {"ingestd": [], "kcat": []}
    try:
        load(broker.bootstrap, "articles.raw", keyed(corpus, "a"))
        check(end_offsets(broker.bootstrap, ["articles.raw"], args.partitions) == args.count,
              "the broker did not keep the whole corpus (mock cluster retention: use more --partitions)")
        for r in range(args.runs):
            for name in ("kcat", "ingestd"):
                if name == "kcat":
                    out, cpu, rss = run_kcat(args, broker, f"k{r}", "articles.raw", args.count)
                else:
                    out, cpu, rss = run_daemon(args, broker, work, f"d{r}", "articles.raw", args.count)
                ts = timestamps(broker.bootstrap, out)
                check(len(ts) == args.count, f"{name}: {len(ts)} outputs for {args.count} inputs")
                window = max(1, max(ts) - min(ts)) / 1000.0
                res = {"articles_per_s": args.count / window, "text_mb_per_s": text_bytes / window / 1e6,
                       "record_mb_per_s": record_bytes / window / 1e6, "cpu_s_per_1000": cpu / args.count * 1000,
                       "peak_rss_mib": rss, "window_s": window}
                results[name].append(res)
                print(f"run {r + 1} {name:8s} {res['articles_per_s']:9.0f} articles/s {res['text_mb_per_s']:7.1f} "
                      f"MB/s text  {res['cpu_s_per_1000']:6.3f} CPU s/1000  {rss:6.1f} MiB", flush=True)

        # Latency at a steady rate, on its own input topic. ingestd only: kcat -P reads
        # its stdin in blocks, so a kcat pipe's per-record latency would be the time
        # to fill its buffer, not the pipeline's.
        lat = keyed(corpus[: args.latency_count], "l")
        outs = Topics("dl").daemon()
        warmup = set()

        def feed():
            # A warm-up record first: once it is out, the daemon's group owns its
            # partitions and the paced records measure steady-state latency.
            load(broker.bootstrap, "latency.raw", [lat[-1]])
            wait_for(lambda: end_offsets(broker.bootstrap, outs, args.partitions) > 0, 60, "the warm-up record", 0.1)
            warmup.update(read_topic(broker.bootstrap, "latency.raw", "%p:%o\n").split())
            paced_feed(broker.bootstrap, "latency.raw", lat, args.latency_rate)

        # The mock broker holds an empty Fetch for the whole fetch.wait.max.ms (500 ms by
        # default) even when records arrive meanwhile; a real broker answers at once.
        # A short wait keeps that artefact out of the figure.
        consumer = ('kafka.consumer={"fetch.wait.max.ms": "%d", "session.timeout.ms": "6000", '
                    '"heartbeat.interval.ms": "500"}' % args.fetch_wait_ms)
        run_daemon(args, broker, work, "dl", "latency.raw", 1 + len(lat), feed, [consumer])
        out_ts = {}
        for topic in outs:
            for line in read_topic(broker.bootstrap, topic, "%T\t%h\t%s\n").splitlines():
                ts, headers, payload = line.split("\t", 2)
                if "ingestd.error.partition=" in headers:
                    h = dict(kv.split("=", 1) for kv in headers.split(",") if "=" in kv)
                    pos = f"{h['ingestd.error.partition']}:{h['ingestd.error.offset']}"
                else:
                    ev = json.loads(payload)
                    pos = f"{ev['input']['partition']}:{ev['input']['offset']}"
                out_ts[pos] = int(ts)
        delays = []
        for line in read_topic(broker.bootstrap, "latency.raw", "%p:%o %T\n").splitlines():
            pos, ts = line.split()
            if pos not in warmup and pos in out_ts:
                delays.append(out_ts[pos] - int(ts))
        check(len(delays) == len(lat), f"latency for {len(delays)} of {len(lat)} records")
        latency = {p: percentile(delays, p) for p in (50, 95, 99)} | {"max": max(delays)}
        print(f"latency ingestd p50 {latency[50]} ms  p95 {latency[95]} ms  p99 {latency[99]} ms  "
              f"max {latency['max']} ms at {args.latency_rate:.0f}/s, fetch.wait.max.ms={args.fetch_wait_ms}",
              flush=True)
    finally:
        for d in RUNNING:
            d.kill()
        for c in CHILDREN:
            if c.returncode is None and c.poll() is None:
                c.kill()
        broker.stop()

    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in results.items()}
    ratio = med["ingestd"]["articles_per_s"] / med["kcat"]["articles_per_s"]
    print()
    print(f"{args.count} articles ({text_bytes / 1e6:.1f} MB text, {record_bytes / 1e6:.1f} MB records), "
          f"{args.partitions} partitions, stages [{args.stages}], {args.workers} workers; medians of {args.runs} runs")
    print()
    print("| pipeline | articles/s | MB/s text | MB/s records | CPU s / 1000 articles | peak RSS MiB | "
          "latency p50 / p95 / p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("ingestd", "kcat"):
        m = med[name]
        lt = f"{latency[50]} / {latency[95]} / {latency[99]}" if name == "ingestd" else "n/a (block-buffered stdin)"
        print(f"| {name} | {m['articles_per_s']:.0f} | {m['text_mb_per_s']:.1f} | {m['record_mb_per_s']:.1f} | "
              f"{m['cpu_s_per_1000']:.3f} | {m['peak_rss_mib']:.0f} | {lt} |")
    print()
    print(f"ingestd / kcat throughput: {ratio:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"median": med, "runs": results, "latency": latency, "ratio": ratio}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
