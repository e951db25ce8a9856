#!/usr/bin/env python3
"""The end-to-end benchmark script (bench/e2e.py) on a small input: it runs, every
pipeline gives every output, and its figures hold together. Not a speed test: no figure
is compared with a speed.

smoke: 400 articles, one run of the kcat pipe, the daemon with no stages and with
config/local.yaml's chain, and a short latency phase. Checks, from its --json:
- each pipeline has a positive rate, and its ratio to kcat is its rate over kcat's;
- the CPU it reads from /proc (for the window and the start-up) agrees with the kernel's
  own account at exit (rusage): the last reading is at most the total and, for the full
  chain's daemon (seconds of CPU), at least half of it; the chain's CPU inside the
  window is more than zero;
- the full chain's start-up CPU (it compiles its taxonomy and rules) is more than the
  daemon's with no stages;
- latency percentiles are ordered (p50 <= p95 <= p99 <= max) for each measure; an output
  is seen downstream after the daemon produced it, so each "seen" percentile is at least
  the "produced" one; the acknowledgement histogram's are positive.

  e2e_bench_test.py smoke --binary build/ingestd
"""
import json
import os
import signal
import subprocess
import sys

from harness import check, run_case

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_e2e(args, timeout):
    """e2e.py, its output streamed to ours. Past `timeout` (below the case's budget) it gets
    SIGINT, so that its own cleanup stops the broker, daemons and kcat it started."""
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "e2e.py")] + args)
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
        raise


def smoke(binary, work):
    out = os.path.join(work, "e2e.json")
    code = run_e2e(["--binary", binary, "--count", "400", "--partitions", "8", "--runs", "1", "--chains", "off,local",
                    "--latency-count", "20", "--timeout", "100", "--json", out,
                    "--set", "kafka.producer.linger.ms=2"], timeout=150)
    check(code == 0, f"e2e.py exited with {code}")
    with open(out) as f:
        res = json.load(f)
    runs = res["runs"]
    check(set(runs) == {"kcat", "ingestd off", "ingestd local"}, f"pipelines: {sorted(runs)}")
    for name, rs in runs.items():
        check(len(rs) == 1, f"{name}: {len(rs)} runs")
        x = rs[0]
        check(x["articles_per_s"] > 0 and x["window_s"] > 0, f"{name}: {x}")
        total = x["cpu_s_per_1000"] * 400 / 1000  # rusage, start to exit
        proc = x["proc_cpu_s"]  # the last /proc reading, some ms before the exit
        # /proc counts whole clock ticks: allow two of them per process (kcat has two).
        tick = 2 * 2 / os.sysconf("SC_CLK_TCK")
        check(0 <= proc <= total + tick, f"{name}: /proc says {proc} CPU s, rusage {total} s")
        check(0 <= x["startup_cpu_s"] <= proc + tick, f"{name}: start-up {x['startup_cpu_s']} s of {proc} s")
    chain = runs["ingestd local"][0]
    total = chain["cpu_s_per_1000"] * 400 / 1000
    check(total > 0.5 and chain["proc_cpu_s"] >= total / 2,
          f"the chain's daemon: /proc says {chain['proc_cpu_s']} CPU s, rusage {total} s")
    check(chain["window_cpu_s_per_1000"] > 0, f"the chain's CPU in its window: {chain}")
    for c in ("off", "local"):
        ratio = res["ratios"][c]["per_run"][0]
        expected = runs[f"ingestd {c}"][0]["articles_per_s"] / runs["kcat"][0]["articles_per_s"]
        check(abs(ratio - expected) < 1e-9, f"{c}: ratio {ratio}, rates give {expected}")
        lt = res["latency"][c]
        seen, acked = lt["seen"], lt["acked"]
        check(lt["50"] <= lt["95"] <= lt["99"] <= lt["max"], f"{c}: latency {lt}")
        check(seen["50"] <= seen["95"] <= seen["99"] <= seen["max"], f"{c}: latency seen downstream {seen}")
        check(all(seen[p] >= lt[p] for p in ("50", "95", "99", "max")), f"{c}: seen {seen}, produced {lt}")
        check(0 < acked["50"] <= acked["95"] <= acked["99"], f"{c}: latency to acknowledgement {acked}")
    off, local = runs["ingestd off"][0]["startup_cpu_s"], runs["ingestd local"][0]["startup_cpu_s"]
    check(local > off, f"start-up CPU: full chain {local} s, no stages {off} s")


if __name__ == "__main__":
    sys.exit(run_case({"smoke": smoke}, budget=200))
