"""Processes and clients for the Kafka runtime's integration tests.

Everything here waits with deadlines and polling, never fixed sleeps, and binds
port 0. The outside client is kcat, as an operator would use it.
"""
import ctypes
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# The whole case must end before this (time.monotonic()), well inside ctest's TIMEOUT:
# every wait is cut to it, and main() arms an alarm for it. None: no limit.
DEADLINE = None


def set_case_budget(seconds):
    """Gives the running case `seconds` in all; past them SIGALRM raises TestFailure,
    so the `finally` blocks still stop the daemons and the broker."""
    global DEADLINE
    DEADLINE = time.monotonic() + seconds

    def expired(signo, frame):
        raise TestFailure(f"the case ran past its {seconds}s budget")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(int(seconds))


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the test process dies (even by SIGKILL
    from ctest's TIMEOUT), so no daemon or broker outlives its test."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class TestFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def wait_for(predicate, timeout, what, interval=0.1):
    """Polls predicate() until it returns a true value or `timeout` seconds pass (cut to
    what is left of the case's budget)."""
    deadline = time.monotonic() + timeout
    if DEADLINE is not None and DEADLINE < deadline:
        deadline = DEADLINE
        timeout = max(0.0, round(DEADLINE - time.monotonic(), 1))
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Broker:
    """`ingestd embedded-broker`; test hooks go to its stdin."""

    def __init__(self, binary, partitions=4, brokers=1, topics=None):
        args = [binary, "embedded-broker", "--partitions", str(partitions), "--brokers", str(brokers),
                "--exit-on-stdin-eof"]  # our end of the pipe closes when this process dies
        if topics:
            args += ["--topics", ",".join(topics)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     preexec_fn=_die_with_parent)
        self.bootstrap = self.proc.stdout.readline().strip()
        check(re.match(r"^[\d.]+:\d+", self.bootstrap), f"embedded-broker printed {self.bootstrap!r}")

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        check(answer == "ok", f"broker command {line!r}: {answer}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


RUNNING = []  # every Daemon started, so a failed test can kill what is left


class Daemon:
    """`ingestd run` with a generated config; stderr goes to a log file."""

    def __init__(self, binary, workdir, name, bootstrap, extra_yaml="", sets=()):
        RUNNING.append(self)
        self.name = name
        self.config = os.path.join(workdir, f"{name}.yaml")
        self.log = os.path.join(workdir, f"{name}.log")
        with open(self.config, "w") as f:
            f.write(
                f"""kafka:
  brokers: "{bootstrap}"
  group_id: itest
  consumer:
    session.timeout.ms: "6000"
    heartbeat.interval.ms: "500"
    topic.metadata.refresh.interval.ms: "2000"
runtime:
  workers: 2
  max_inflight_records: 500
  shutdown_grace_ms: 15000
admin:
  address: 127.0.0.1
  port: 0
logging:
  level: info
pipeline:
  stages: [normalize]
{extra_yaml}"""
            )
        args = [binary, "run", "--config", self.config]
        for s in sets:
            args += ["--set", s]
        self.logfile = open(self.log, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.logfile,
                                     preexec_fn=_die_with_parent)
        self.port = int(
            wait_for(lambda: self._grep(r"admin server listening on [\d.]+:(\d+)"), 20, f"{name}'s admin port")
        )

    def _grep(self, pattern):
        with open(self.log) as f:
            m = re.search(pattern, f.read())
        if not m and self.proc.poll() is not None:
            raise TestFailure(f"{self.name} exited with {self.proc.returncode}:\n{self.log_text()}")
        return m.group(1) if m else None

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def get(self, path, method="GET", timeout=5):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metric(self, name):
        _, body = self.get("/metrics")
        total = 0.0
        for line in body.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def wait_ready(self, timeout=30):
        wait_for(lambda: self.get("/readyz")[0] == 200, timeout, f"{self.name} ready")

    def signal(self, signo):
        self.proc.send_signal(signo)

    def wait_exit(self, timeout):
        if DEADLINE is not None:
            timeout = max(0.0, min(timeout, DEADLINE - time.monotonic()))
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"{self.name} did not exit within {timeout}s:\n{self.log_text()[-3000:]}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def make_articles(n, malformed_every=37, seed_prefix="a"):
    """(key, value) pairs: JSON articles, and every `malformed_every`-th one broken in some way."""
    broken = [
        "not json at all {i}",
        '{{"url": "https://x.example/{i}", "text": "unterminated',
        '{{"title": "no url {i}", "text": "body"}}',
        "[1, 2, {i}]",
        '{{"url": "https://x.example/{i}", "text": ""}}',
    ]
    out = []
    for i in range(n):
        key = f"k{i}"
        if i % malformed_every == malformed_every - 1:
            out.append((key, broken[(i // malformed_every) % len(broken)].format(i=i)))
        else:
            body = f"Paragraph {i} of a report about item {i}. " * (3 + i % 7)
            out.append(
                (
                    key,
                    json.dumps(
                        {
                            "id": f"{seed_prefix}{i}",
                            "url": f"https://news.example.com/story/{i}?utm_source=x",
                            "title": f"Story number {i}",
                            "text": body,
                            "source": "news.example.com",
                        }
                    ),
                )
            )
    return out


def produce(bootstrap, topic, records, headers=()):
    """Writes (key, value) records with kcat; values must not contain tabs or newlines."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for k, v in records:
            f.write(f"{k}\t{v}\n")
        path = f.name
    args = ["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-l", path]
    for h in headers:
        args += ["-H", h]
    subprocess.run(args, check=True, timeout=60)
    os.unlink(path)


def consume(bootstrap, topic):
    """Every record of `topic` as kcat's JSON envelope (topic, partition, offset, key, payload, headers)."""
    r = subprocess.run(
        ["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-J"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    check(r.returncode == 0, f"kcat -C {topic}: {r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def headers_of(record):
    h = record.get("headers") or []
    return dict(zip(h[0::2], h[1::2]))


class Outputs:
    """The three output topics, keyed by the input position each record came from."""

    TOPICS = ("articles.enriched", "articles.duplicates", "articles.dead-letter")

    def __init__(self, bootstrap):
        self.by_position = {}
        self.records = {}
        for topic in self.TOPICS:
            self.records[topic] = consume(bootstrap, topic)
            for r in self.records[topic]:
                if topic == "articles.dead-letter":
                    h = headers_of(r)
                    pos = (int(h["ingestd.error.partition"]), int(h["ingestd.error.offset"]))
                else:
                    event = json.loads(r["payload"])
                    pos = (event["input"]["partition"], event["input"]["offset"])
                self.by_position.setdefault(pos, []).append((topic, r))

    def total(self):
        return sum(len(v) for v in self.records.values())


def count_outputs(bootstrap, topics=Outputs.TOPICS):
    """Records in `topics` (the sum of their partitions' end offsets): cheap enough to poll,
    and what kcat would read from the beginning (no compaction, no transactions)."""
    meta = subprocess.run(["kcat", "-L", "-J", "-b", bootstrap], capture_output=True, text=True, timeout=30)
    if meta.returncode != 0:
        return 0  # no metadata (all brokers down): nothing countable now
    partitions = {t["topic"]: len(t["partitions"]) for t in json.loads(meta.stdout)["topics"]}
    args = ["kcat", "-Q", "-b", bootstrap]
    for t in topics:
        for p in range(partitions.get(t, 0)):
            args += ["-t", f"{t}:{p}:-1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    total = 0
    for line in r.stdout.splitlines():  # "articles.enriched [3] offset 512"
        parts = line.split()
        if len(parts) >= 4 and parts[-2] == "offset":
            total += max(0, int(parts[-1]))
    return total


def wait_all_out(bootstrap, n, timeout, daemons=()):
    """Until the output topics hold `n` records, failing early if a daemon exits."""
    seen = [0]

    def done():
        for d in daemons:
            check(d.proc.poll() is None, f"{d.name} exited with {d.proc.returncode}:\n{d.log_text()[-3000:]}")
        seen[0] = count_outputs(bootstrap)
        return seen[0] >= n

    try:
        wait_for(done, timeout, f"{n} output records", interval=0.3)
    except TestFailure as e:
        raise TestFailure(f"{e} (have {seen[0]})") from None


def wait_every_input_out(bootstrap, inputs, timeout, daemons=()):
    """Until every input position has an output, failing early if a daemon exits. (Counting
    outputs is not enough when repeats are allowed: re-delivered records count too.)"""
    def done():
        for d in daemons:
            check(d.proc.poll() is None, f"{d.name} exited with {d.proc.returncode}:\n{d.log_text()[-3000:]}")
        return len(Outputs(bootstrap).by_position) >= len(inputs)

    wait_for(done, timeout, "every input in the outputs", interval=0.5)


def check_every_input_once(bootstrap, inputs, allow_extra=0):
    """Every input position appears in the outputs; exactly once unless allow_extra > 0
    (then at most allow_extra repeats in total). Returns the Outputs."""
    out = Outputs(bootstrap)
    missing = [p for p in inputs if p not in out.by_position]
    check(not missing, f"{len(missing)} input records lost, e.g. {sorted(missing)[:5]}")
    strangers = [p for p in out.by_position if p not in inputs]
    check(not strangers, f"outputs for unknown inputs {strangers[:5]}")
    repeats = sum(len(v) - 1 for v in out.by_position.values())
    check(repeats <= allow_extra, f"{repeats} records delivered more than once (allowed {allow_extra})")
    # A re-delivered record must carry the same outcome each time.
    for pos, outs in out.by_position.items():
        check(len({t for t, _ in outs}) == 1, f"input {pos} went to several outputs: {[t for t, _ in outs]}")
    print(f"checked {len(inputs)} inputs: {out.total()} outputs, {repeats} repeats", flush=True)
    return out


def log_fields(daemon, message):
    """The fields of each text log line `message k=v ...` (numbers only)."""
    rows = []
    for line in daemon.log_text().splitlines():
        m = re.search(r" ingestd: " + message + r"((?: \w+=[\d.]+)+)$", line)
        if m:
            rows.append({k: float(v) if "." in v else int(v) for k, v in re.findall(r"(\w+)=([\d.]+)", m.group(1))})
    return rows


def check_no_copy_of_itself(out):
    """No record in the duplicates topic names itself as the original: a record consumed again
    (after a crash or a rebalance) must be judged as when it was first delivered."""
    selves = [e["id"] for e in (json.loads(r["payload"]) for r in out.records["articles.duplicates"])
              if e["dedupe"]["duplicate_of"] == e["id"]]
    check(not selves, f"{len(selves)} records judged copies of themselves, e.g. {selves[:3]}")


def stop_daemon(daemon, timeout=20):
    """SIGTERM; it must exit 0 within `timeout`."""
    daemon.signal(signal.SIGTERM)
    code = daemon.wait_exit(timeout)
    check(code == 0, f"{daemon.name} exited with {code} after SIGTERM:\n{daemon.log_text()[-2000:]}")


def run_case(cases, budget):
    """main() of a test script: `SCRIPT CASE --binary PATH [--budget S]`. Runs the case in a
    temporary directory within its budget, prints the daemons' logs on failure and kills
    whatever is left. Returns the exit code."""
    import argparse
    import glob
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(cases))
    parser.add_argument("--binary", required=True)
    parser.add_argument("--budget", type=float, default=budget,
                        help=f"seconds for the whole case, below ctest's TIMEOUT (default {budget})")
    args = parser.parse_args()
    set_case_budget(args.budget)
    with tempfile.TemporaryDirectory(prefix=f"ingestd-{args.case}-") as work:
        try:
            cases[args.case](args.binary, work)
        except Exception as e:  # noqa: BLE001 (any failure: show the daemons' logs)
            print(f"FAIL {args.case}: {type(e).__name__}: {e}", file=sys.stderr)
            for log in sorted(glob.glob(f"{work}/*.log")):
                print(f"--- {log} (tail)", file=sys.stderr)
                with open(log) as f:
                    print(f.read()[-4000:], file=sys.stderr)
            return 1
        finally:
            signal.alarm(0)
            for d in RUNNING:
                d.kill()
    print(f"PASS {args.case}")
    return 0


def input_positions(bootstrap, topic="articles.raw"):
    return {(r["partition"], r["offset"]): r for r in consume(bootstrap, topic)}
