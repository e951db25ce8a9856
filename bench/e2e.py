#!/usr/bin/env python3
"""End-to-end benchmark (the reference method): `ingestd run` against a kcat
consume-and-produce pipe, same broker, same data, same run.

One embedded broker (`ingestd embedded-broker`); N generated articles (bench/gen_corpus)
are loaded once into `articles.raw`. Then, --runs times, one after the other: the kcat
pipe, then the daemon once per --chains entry, each as its own consumer group into its
own output topics. For each:

  rate      N / (last output CreateTime - first output CreateTime): group joins and
            start-up are left out for both, and so is the drain. With 40,000 articles
            the window is many seconds, so kcat -P's block-wise stdin (its outputs leave
            in bursts) no longer decides the figure.
  CPU       user + system seconds of the process (kcat: both processes), from rusage,
            start to exit, per 1000 articles. It includes the start-up (the daemon
            compiles its taxonomy and rules: 1.3-2.0 CPU seconds, 30-50 us per article
            of a 40,000-article run), so the table also gives
  window CPU  the same, but only between the first and the last output (CreateTime),
            the rate's window: CPU read from /proc/PID/stat every 20 ms, interpolated
            at both ends; per 1000 articles of the window. Steady state, for both.
  start-up  CPU seconds before the first output (the daemon: configuration, taxonomy
            and rule compilation, the group join).
  peak RSS  VmHWM from /proc, sampled until exit (kcat: the sum of both).
  ratio     the daemon's rate / the kcat pipe's rate of the same run; the median of the
            runs' ratios is printed next to the ratio of the medians.

Latency (daemon only): --latency-count records written at --latency-rate per second
while the daemon runs; percentiles of three measures (measure_latency): input to output
CreateTime (to the daemon's produce call), input CreateTime to an independent reader
having the output (the whole path), and consumption to acknowledgement from the daemon's
own histogram. kcat -P reads its stdin in blocks, so a kcat pipe's per-record latency
would be its buffer's fill time, not the pipeline's.

The kcat pipe is `kcat -C -G group -f '%p:%o\\t%s\\n' | kcat -P -K '\\t'` with the daemon's
producer guarantees (idempotence, acks=all, linger.ms=5): the floor of any consume,
transform, produce daemon on this broker and machine.

  bench/e2e.sh --binary build/ingestd --count 40000 --partitions 96 --runs 3 --chains off,local
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
# The runtime's test harness: processes, polling with deadlines, kcat helpers.
from harness import RUNNING, Broker, Daemon, check, count_outputs, produce, wait_for  # noqa: E402

CHILDREN = []  # kcat processes, killed if the run fails
PRODUCER_SETTINGS = ["-X", "enable.idempotence=true", "-X", "acks=all", "-X", "linger.ms=5"]


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


class PeakRss(threading.Thread):
    """The child's VmHWM (peak resident memory of its own image), read from /proc every
    20 ms until it exits. Not ru_maxrss: Linux carries the forking parent's peak across
    exec, so every child of this (large) Python process would report at least its size.
    Also its CPU seconds (user + system, all threads) with the wall-clock time of each
    reading, for the CPU inside the rate's window (cpu_at)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.kib, self.cpu = pid, 0, []
        self.start()

    def run(self):
        while True:
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.kib = max(self.kib, int(line.split()[1]))
                now = time.time()
                # The command name (field 2) may hold spaces: the fields after its ')'.
                fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                return
            if self.kib and fields[0] == "Z":
                return
            self.cpu.append((now, (int(fields[11]) + int(fields[12])) / CLOCK_TICK))  # utime, stime
            time.sleep(0.02)

    def cpu_at(self, t):
        """CPU seconds used by wall-clock time t, interpolated between the readings."""
        if not self.cpu or t <= self.cpu[0][0]:
            return self.cpu[0][1] if self.cpu else 0.0
        for (t0, c0), (t1, c1) in zip(self.cpu, self.cpu[1:]):
            if t <= t1:
                return c0 + (c1 - c0) * (t - t0) / max(t1 - t0, 1e-9)
        return self.cpu[-1][1]


def rusage_wait(proc, peak):
    """Waits for a child and returns (exit code, cpu seconds, peak RSS in MiB)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak.join(1)
    return proc.returncode, usage.ru_utime + usage.ru_stime, peak.kib / 1024.0


def read_topic(bootstrap, topic, fmt):
    """`topic` from the beginning, one kcat -f line per record (cheaper than JSON for 100+ MB)."""
    r = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", fmt],
                       capture_output=True, text=True, timeout=300)
    check(r.returncode == 0, f"kcat -C {topic}: {r.stderr}")
    return r.stdout


def timestamps(bootstrap, topics):
    out = []
    for t in topics:
        out += [int(x) for x in read_topic(bootstrap, t, "%T\n").split()]
    return out


def keyed(records, prefix):
    """(key, value) pairs: keys spread records over partitions (kcat's null-key batches stick to one)."""
    return [(f"{prefix}{i}", line.rstrip("\n")) for i, line in enumerate(records)]


def paced_feed(bootstrap, topic, records, rate):
    """Writes records to kcat -P at `rate` per second (a benchmark's pacing, not a test's sleep)."""
    p = subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t"] + PRODUCER_SETTINGS,
                         stdin=subprocess.PIPE, text=True)
    start = time.monotonic()
    for i, (k, v) in enumerate(records):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        p.stdin.write(f"{k}\t{v}\n")
        p.stdin.flush()
    p.stdin.close()
    check(p.wait(timeout=60) == 0, "paced feed failed")


def outputs(tag):
    """A daemon run's output topics: enriched, duplicates, dead letter."""
    return [f"bench.{tag}.enriched", f"bench.{tag}.duplicates", f"bench.{tag}.dead-letter"]


def daemon_topics(tag):
    """Every topic a daemon run writes: its outputs and its own dedupe index (a shared one
    would make the next run restore this run's articles and call them all duplicates)."""
    return outputs(tag) + [f"bench.{tag}.dedupe-index"]


def run_daemon(args, broker, work, tag, stages, input_topic, n, feed=None, extra_sets=(), before_stop=None):
    enriched, duplicates, dead_letter = outputs(tag)
    sets = list(args.set) + list(extra_sets) + [
        f"kafka.group_id=bench-{tag}", f"kafka.topics.input={input_topic}", f"kafka.topics.enriched={enriched}",
        f"kafka.topics.duplicates={duplicates}", f"kafka.topics.dead_letter={dead_letter}",
        f"kafka.topics.dedupe_index=bench.{tag}.dedupe-index", f"tagging.taxonomy_dir={ROOT}/config/taxonomy",
        f"runtime.workers={args.workers}", f"runtime.max_inflight_records={args.max_inflight}",
        f"pipeline.stages=[{stages}]"]
    d = Daemon(args.binary, work, f"ingestd-{tag}", broker.bootstrap, sets=sets)
    peak = PeakRss(d.proc.pid)
    if feed:
        feed(d)
    wait_for(lambda: d.proc.poll() is not None or count_outputs(broker.bootstrap, outputs(tag)) >= n,
             args.timeout, f"ingestd ({tag}) to write {n} records", interval=0.2)
    check(d.proc.poll() is None, f"ingestd exited early:\n{d.log_text()[-3000:]}")
    if before_stop:
        before_stop(d)
    d.signal(signal.SIGTERM)
    code, cpu, rss = rusage_wait(d.proc, peak)
    check(code == 0, f"ingestd exited with {code}:\n{d.log_text()[-3000:]}")
    pauses = len(re.findall(r"pausing \d+ partitions", d.log_text()))
    return outputs(tag), cpu, rss, pauses, [peak]


def run_kcat(args, broker, tag, input_topic, n):
    out = f"bench.{tag}.kcat"
    consumer = subprocess.Popen(["kcat", "-C", "-b", broker.bootstrap, "-G", f"kcat-{tag}", "-X",
                                 "auto.offset.reset=earliest", "-c", str(n), "-q", "-f", "%p:%o\t%s\n", input_topic],
                                stdout=subprocess.PIPE)
    producer = subprocess.Popen(["kcat", "-P", "-b", broker.bootstrap, "-t", out, "-K", "\t"] + PRODUCER_SETTINGS,
                                stdin=consumer.stdout)
    consumer.stdout.close()
    CHILDREN.extend([consumer, producer])
    c_peak, p_peak = PeakRss(consumer.pid), PeakRss(producer.pid)
    _, c_cpu, c_rss = rusage_wait(consumer, c_peak)
    code, p_cpu, p_rss = rusage_wait(producer, p_peak)
    check(code == 0, f"kcat -P exited with {code}")
    return [out], c_cpu + p_cpu, c_rss + p_rss, [c_peak, p_peak]


def local_stages():
    """pipeline.stages of config/local.yaml: the chain the project runs locally."""
    with open(os.path.join(ROOT, "config", "local.yaml")) as f:
        m = re.search(r"^pipeline:\s*\n\s+stages:\s*\[([^\]]*)\]", f.read(), re.M)
    return ",".join(x.strip() for x in m.group(1).split(",")) if m else "normalize"


def percentile(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def position_of(headers, payload):
    """The input partition:offset an output record came from (a dead letter says it in headers)."""
    if "ingestd.error.partition=" in headers:
        h = dict(kv.split("=", 1) for kv in headers.split(",") if "=" in kv)
        return f"{h['ingestd.error.partition']}:{h['ingestd.error.offset']}"
    ev = json.loads(payload)
    return f"{ev['input']['partition']}:{ev['input']['offset']}"


class Observer:
    """An independent downstream reader: one `kcat -C` per output topic (no group, so no
    join wait), fetch.wait.max.ms=1, unbuffered; stamps each output with the wall-clock
    time its line arrives. The mock broker holds an empty fetch for the whole wait, so
    the reader adds up to about a millisecond."""

    def __init__(self, bootstrap, topics):
        self.seen = {}  # input position -> arrival time, ms since the epoch; written by the reader threads
        self.lock = threading.Lock()  # guards seen
        self.procs, self.threads = [], []
        for t in topics:
            p = subprocess.Popen(["kcat", "-C", "-u", "-q", "-b", bootstrap, "-t", t, "-o", "beginning",
                                  "-X", "fetch.wait.max.ms=1", "-f", "%h\t%s\n"],
                                 stdout=subprocess.PIPE, text=True)
            CHILDREN.append(p)
            self.procs.append(p)
            self.threads.append(threading.Thread(target=self.read, args=(p,), daemon=True))
            self.threads[-1].start()

    def read(self, p):
        for line in p.stdout:
            now = time.time() * 1000.0
            if not line.endswith("\n"):
                break  # cut off by stop()
            headers, payload = line.rstrip("\n").split("\t", 1)
            with self.lock:
                self.seen.setdefault(position_of(headers, payload), now)

    def count(self):
        with self.lock:
            return len(self.seen)

    def stop(self):
        """Ends the readers; returns what they saw."""
        for p in self.procs:
            p.kill()
            p.wait()
        for t in self.threads:
            t.join(10)
        with self.lock:
            return dict(self.seen)


def histogram_buckets(metrics_text, name):
    """A Prometheus histogram's cumulative bucket counts by upper bound, all series summed."""
    buckets = {}
    for line in metrics_text.splitlines():
        m = re.match(name + r'_bucket\{.*le="([^"]+)".*\} (\S+)$', line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets[le] = buckets.get(le, 0.0) + float(m.group(2))
    return buckets


def histogram_quantiles(buckets, qs):
    """Quantiles of cumulative bucket counts as Prometheus' histogram_quantile() computes
    them: linear within the bucket that holds the rank; a rank in the +Inf bucket gives
    the highest finite bound. Returns ({q: seconds}, count)."""
    check(float("inf") in buckets, f"no +Inf bucket in {sorted(buckets)}")
    les = sorted(buckets)
    total = buckets[float("inf")]
    check(total > 0, "an empty histogram has no quantiles")
    out = {}
    for q in qs:
        check(0 <= q <= 1, f"quantile {q} outside [0, 1]")
        rank = q * total
        lower, below = 0.0, 0.0
        for le in les:
            if buckets[le] >= rank:
                out[q] = lower if le == float("inf") else lower + (le - lower) * (rank - below) / max(
                    buckets[le] - below, 1e-9)
                break
            lower, below = le, buckets[le]
    return out, total


def measure_latency(args, broker, work, tag, stages, corpus):
    """Per-record latency at a steady rate, on its own input topic, three ways:
      produced   input CreateTime -> output CreateTime: the daemon's produce() call; leaves
                 out its producer's linger.ms and the broker's acknowledgement;
      seen       input CreateTime -> an independent reader has the output (Observer): the
                 whole path, with the input's own linger and the daemon's fetch wait;
      acked      consumption -> acknowledgement of the output, from the daemon's own
                 ingestd_end_to_end_latency_seconds histogram (six bounds a decade, so
                 within a factor of 5/3; the warm-up record left out)."""
    topic = f"bench.{tag}.raw"
    lat = keyed(corpus[: args.latency_count], f"{tag}-")
    outs = outputs(tag)
    warmup = set()
    observer = Observer(broker.bootstrap, outs)
    acked = {}

    name = "ingestd_end_to_end_latency_seconds"
    warmup_buckets = {}

    def feed(d):
        # A warm-up record first: once it is out, the daemon's group owns its partitions
        # and the paced records measure steady-state latency.
        produce(broker.bootstrap, topic, [lat[-1]])
        wait_for(lambda: observer.count() > 0, 60, "the warm-up record", 0.1)
        # A reader may have an output before the daemon has served its delivery report.
        wait_for(lambda: d.metric(name + "_count") >= 1, 30, "the warm-up record's acknowledgement", 0.05)
        warmup_buckets.update(histogram_buckets(d.get("/metrics")[1], name))
        warmup.update(read_topic(broker.bootstrap, topic, "%p:%o\n").split())
        paced_feed(broker.bootstrap, topic, lat, args.latency_rate)

    def scrape(d):
        wait_for(lambda: observer.count() >= 1 + len(lat), 30, "the observer to read every output", 0.05)
        wait_for(lambda: d.metric(name + "_count") >= 1 + len(lat), 30, "every acknowledgement counted", 0.05)
        buckets = histogram_buckets(d.get("/metrics")[1], name)
        paced = {le: n - warmup_buckets.get(le, 0.0) for le, n in buckets.items()}  # the warm-up left out
        qs, total = histogram_quantiles(paced, (0.5, 0.95, 0.99))
        check(total == len(lat), f"the latency histogram counts {total} paced records, not {len(lat)}")
        acked.update({round(q * 100): round(v * 1000.0, 1) for q, v in qs.items()})

    # The mock broker holds an empty Fetch for the whole fetch.wait.max.ms (500 ms by
    # default) even when records arrive meanwhile, and while the daemon's Fetch is held
    # its produce acknowledgements come late too: produce call to acknowledgement p50 /
    # p95 5.5 / 6.3 ms with a 1 ms wait (linger.ms is 5), 15.4 / 16.6 with 10 ms, 5.4 /
    # 49.3 with 50 ms. A real broker answers a Fetch as soon as records arrive. The
    # shortest wait keeps that artefact out of the figures.
    consumer = [f"kafka.consumer.fetch.wait.max.ms={args.fetch_wait_ms}", "kafka.consumer.session.timeout.ms=6000",
                "kafka.consumer.heartbeat.interval.ms=500"]
    seen_at = {}
    try:
        run_daemon(args, broker, work, tag, stages, topic, 1 + len(lat), feed, consumer, before_stop=scrape)
    finally:
        seen_at = observer.stop()
    produced_at = {}
    for t in outs:
        for line in read_topic(broker.bootstrap, t, "%T\t%h\t%s\n").splitlines():
            ts, headers, payload = line.split("\t", 2)
            produced_at[position_of(headers, payload)] = int(ts)
    produced, seen = [], []
    for line in read_topic(broker.bootstrap, topic, "%p:%o %T\n").splitlines():
        pos, ts = line.split()
        if pos not in warmup and pos in produced_at:
            produced.append(produced_at[pos] - int(ts))
            seen.append(seen_at[pos] - int(ts))
    check(len(produced) == len(lat), f"latency for {len(produced)} of {len(lat)} records")

    def pcts(values):
        return {p: percentile(values, p) for p in (50, 95, 99)} | {"max": max(values)}

    seen_p = pcts(seen)
    return pcts(produced) | {"seen": {k: round(v, 1) for k, v in seen_p.items()}, "acked": acked}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "ingestd"))
    ap.add_argument("--count", type=int, default=40000, help="articles per throughput run")
    ap.add_argument("--size", type=int, default=6000, help="mean article text bytes")
    ap.add_argument("--dup-rate", type=float, default=0.2)
    ap.add_argument("--partitions", type=int, default=96,
                    help="the mock broker keeps ~5 MiB per partition; the full chain's events are ~1.5x the input")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-inflight", type=int, default=10000, help="runtime.max_inflight_records (the default)")
    ap.add_argument("--chains", default="off,local",
                    help="comma-separated daemon stage chains, each 'off' (no stages), 'local' (config/local.yaml's) "
                         "or stages joined by '+' (normalize+language)")
    ap.add_argument("--latency-count", type=int, default=600)
    ap.add_argument("--latency-rate", type=float, default=200.0, help="records per second in the latency phase")
    ap.add_argument("--fetch-wait-ms", type=int, default=1,
                    help="fetch.wait.max.ms in the latency phase (see measure_latency)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to every daemon run as --set (repeatable): kafka.producer.linger.ms=20; the "
                         "script's own settings (topics, group, workers, the latency phase's consumer) win, and "
                         "the kcat pipe keeps its settings")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    chains = {}
    for c in args.chains.split(","):
        chains[c] = "" if c == "off" else local_stages() if c == "local" else c.replace("+", ",")

    work = tempfile.mkdtemp(prefix="ingestd-e2e.")
    corpus = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_corpus"), "--count", str(args.count),
                             "--seed", "1", "--dup-rate", str(args.dup_rate), "--size", str(args.size)],
                            capture_output=True, text=True, check=True).stdout.splitlines(keepends=True)
    text_bytes = 0
    for line in corpus:
        rec = json.loads(line)
        text_bytes += len(rec.get("text", "").encode()) + len(rec.get("html", "").encode())
    record_bytes = sum(len(line.encode()) - 1 for line in corpus)

    names = ["kcat"] + [f"ingestd {c}" for c in chains]
    topics = ["articles.raw"]
    for r in range(args.runs):
        topics += [f"bench.k{r}.kcat"] + sum((daemon_topics(f"d{r}-{c}") for c in chains), [])
    for c in chains:
        topics += [f"bench.l-{c}.raw"] + daemon_topics(f"l-{c}")
    broker = Broker(args.binary, partitions=args.partitions, topics=topics)
    results = {name: [] for name in names}
    latency = {}
    load = []
    try:
        produce(broker.bootstrap, "articles.raw", keyed(corpus, "a"))
        check(count_outputs(broker.bootstrap, ["articles.raw"]) == args.count,
              "the broker did not keep the whole corpus (mock cluster retention: use more --partitions)")
        for r in range(args.runs):
            for name in names:
                load.append(os.getloadavg()[0])
                pauses = 0
                if name == "kcat":
                    out, cpu, rss, procs = run_kcat(args, broker, f"k{r}", "articles.raw", args.count)
                else:
                    c = name.split(" ", 1)[1]
                    out, cpu, rss, pauses, procs = run_daemon(args, broker, work, f"d{r}-{c}", chains[c],
                                                              "articles.raw", args.count)
                ts = timestamps(broker.bootstrap, out)
                check(len(ts) == args.count, f"{name}: {len(ts)} outputs for {args.count} inputs (mock retention?)")
                first, last = min(ts) / 1000.0, max(ts) / 1000.0
                window = max(0.001, last - first)
                window_cpu = sum(p.cpu_at(last) - p.cpu_at(first) for p in procs)
                res = {"articles_per_s": args.count / window, "text_mb_per_s": text_bytes / window / 1e6,
                       "record_mb_per_s": record_bytes / window / 1e6, "cpu_s_per_1000": cpu / args.count * 1000,
                       "window_cpu_s_per_1000": window_cpu / args.count * 1000,
                       "startup_cpu_s": sum(p.cpu_at(first) for p in procs),
                       "proc_cpu_s": sum(p.cpu[-1][1] if p.cpu else 0.0 for p in procs),  # the last /proc reading
                       "peak_rss_mib": rss, "window_s": window, "pauses": pauses}
                results[name].append(res)
                print(f"run {r + 1} {name:16s} {res['articles_per_s']:8.0f} articles/s {res['text_mb_per_s']:6.1f} "
                      f"MB/s text {res['cpu_s_per_1000']:6.3f} CPU s/1000 (window {res['window_cpu_s_per_1000']:.3f}, "
                      f"start-up {res['startup_cpu_s']:.2f} s) {rss:6.1f} MiB  window {window:5.1f} s"
                      + (f"  {pauses} pauses" if pauses else ""), flush=True)
        for c, stages in chains.items():
            latency[c] = measure_latency(args, broker, work, f"l-{c}", stages, corpus)
            lt = latency[c]
            print(f"latency ingestd {c} at {args.latency_rate:.0f}/s, fetch.wait.max.ms={args.fetch_wait_ms}: "
                  f"input to output CreateTime p50 {lt[50]} p95 {lt[95]} p99 {lt[99]} max {lt['max']} ms; "
                  f"seen downstream p50 {lt['seen'][50]} p95 {lt['seen'][95]} p99 {lt['seen'][99]} "
                  f"max {lt['seen']['max']} ms; consumed to acknowledged (histogram) p50 {lt['acked'][50]} "
                  f"p95 {lt['acked'][95]} p99 {lt['acked'][99]} ms", flush=True)
    finally:
        for d in RUNNING:
            d.kill()
        for c in CHILDREN:
            if c.returncode is None and c.poll() is None:
                c.kill()
        broker.stop()

    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in results.items()}
    print()
    print(f"{args.count} articles ({text_bytes / 1e6:.1f} MB text, {record_bytes / 1e6:.1f} MB records), "
          f"{args.partitions} partitions, {args.workers} workers, max_inflight_records {args.max_inflight}; "
          f"medians of {args.runs} runs; 1-min load average {min(load):.1f}-{max(load):.1f}")
    print()
    print("| pipeline | stages | articles/s, median (runs) | MB/s text | CPU s / 1000 articles: start to exit "
          "(in the window) | start-up CPU s | peak RSS MiB | latency p50 / p95 / p99 ms: to output CreateTime; "
          "seen downstream; consumed to acknowledged (histogram) | "
          "ratio to kcat: of medians (per run) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    ratios = {}
    for name in names:
        m, rs = med[name], results[name]
        runs = " / ".join(f"{r['articles_per_s']:,.0f}" for r in rs)
        if name == "kcat":
            stages, lt, ratio = "-", "n/a (block-buffered stdin)", "1.00"
        else:
            c = name.split(" ", 1)[1]
            stages = chains[c].replace(",", ", ") or "none"
            lt = "; ".join(" / ".join(str(x[p]) for p in (50, 95, 99))
                           for x in (latency[c], latency[c]["seen"], latency[c]["acked"]))
            per_run = [a["articles_per_s"] / k["articles_per_s"] for a, k in zip(rs, results["kcat"])]
            ratios[c] = {"of_medians": m["articles_per_s"] / med["kcat"]["articles_per_s"],
                         "median_per_run": statistics.median(per_run), "per_run": per_run}
            ratio = f"{ratios[c]['of_medians']:.2f} ({' / '.join(f'{x:.2f}' for x in per_run)})"
        print(f"| {name.split(' ')[0]} | {stages} | {m['articles_per_s']:,.0f} ({runs}) | {m['text_mb_per_s']:.1f} | "
              f"{m['cpu_s_per_1000']:.3f} ({m['window_cpu_s_per_1000']:.3f}) | {m['startup_cpu_s']:.2f} | "
              f"{m['peak_rss_mib']:.0f} | {lt} | {ratio} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"median": med, "runs": results, "latency": latency, "ratios": ratios, "load": load}, f,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
