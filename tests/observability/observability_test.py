#!/usr/bin/env python3
"""The daemon's observability from the outside, against `ingestd embedded-broker`
with kcat as the client (ctest label `integration`). One case per ctest test:

  observability_test.py CASE --binary build/ingestd

  metrics_promtool     `promtool check metrics` passes on the daemon's real /metrics,
                       and /healthz, /readyz, /config and /tap answer as documented.
  prometheus_scrape    a real Prometheus server scrapes the daemon every second while
                       it processes articles; its HTTP API shows ingestd_records_in_total
                       and the consumer lag moving. Prometheus also loads the shipped
                       alert rules.

Uses the runtime's test harness (tests/integration/harness.py).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

from harness import RUNNING, Broker, Daemon, check, make_articles, produce, wait_for  # noqa: E402

# The harness' consumer settings, plus statistics every 250 ms so the lag metric is fresh.
CONSUMER = (
    'kafka.consumer={session.timeout.ms: "6000", heartbeat.interval.ms: "500", '
    'topic.metadata.refresh.interval.ms: "2000", statistics.interval.ms: "250"}'
)


def metrics_promtool(binary, workdir):
    broker = Broker(binary, partitions=4)
    try:
        daemon = Daemon(binary, workdir, "obs", broker.bootstrap,
                        sets=(CONSUMER, "admin.tap=true", "runtime.max_inflight_records=10"))
        daemon.wait_ready()
        articles = make_articles(300)
        # Slow acknowledgements and ten records in flight: the rest waits in the partitions for a while, and
        # librdkafka's statistics (what /healthz counts as pending) must show it.
        broker.command("rtt 1 100")
        produce(broker.bootstrap, "articles.raw", articles)
        wait_for(lambda: daemon.metric("ingestd_kafka_consumer_waiting_records") > 0, 30, "records seen waiting")
        broker.command("rtt 1 0")
        wait_for(lambda: daemon.metric("ingestd_records_out_total") >= len(articles), 60, "all records out")
        # Lag per partition from the statistics JSON, once a commit made it known.
        wait_for(lambda: "ingestd_kafka_partition_lag_records{" in daemon.get("/metrics")[1], 30, "lag metric")
        # Everything consumed: nothing waits, so an idle daemon stays live (the next document, 250 ms later).
        wait_for(lambda: daemon.metric("ingestd_kafka_consumer_waiting_records") == 0, 30, "nothing waiting")

        status, body = daemon.get("/metrics")
        check(status == 200, f"/metrics answered {status}")
        r = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"promtool check metrics failed:\n{r.stdout}{r.stderr}")
        for name in (
            "ingestd_records_in_total",
            "ingestd_kafka_partition_lag_records",
            "ingestd_end_to_end_latency_seconds_bucket",
            "ingestd_build_info",
            "ingestd_ready 1",
        ):
            check(name in body, f"/metrics lacks {name}")

        check(daemon.get("/healthz")[0] == 200, "/healthz not 200 on a healthy daemon")
        status, body = daemon.get("/config")
        check(status == 200, f"/config answered {status}")
        config = json.loads(body)
        check(config["kafka"]["brokers"] == broker.bootstrap, f"/config shows brokers {config['kafka']['brokers']}")
        check(config["admin"]["tap"] is True, "/config does not show admin.tap")
        status, body = daemon.get("/tap?n=5")
        check(status == 200, f"/tap answered {status}: {body}")
        lines = [json.loads(line) for line in body.splitlines()]
        check(len(lines) == 5, f"/tap?n=5 gave {len(lines)} lines")
        check(all(line["output"] in ("enriched", "duplicates", "dead_letter") for line in lines), body)
        print("promtool check metrics: ok; /healthz /config /tap: ok", flush=True)

        daemon.signal(signal.SIGTERM)
        check(daemon.wait_exit(30) == 0, "daemon did not exit 0")
    finally:
        broker.stop()


class Prometheus:
    """/usr/bin/prometheus with a temporary config and TSDB, scraping `targets` every second."""

    def __init__(self, workdir, targets, rule_files=()):
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + ("rule_files:\n" + "".join(f"  - {p}\n" for p in rule_files) if rule_files else "")
                + "scrape_configs:\n  - job_name: ingestd\n    static_configs:\n"
                + f"      - targets: [{', '.join(repr(t) for t in targets)}]\n"
            )
        self.log = open(os.path.join(workdir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
                # Port 0: the kernel picks a free port and Prometheus logs it (checked with
                # Debian's 2.42: 'msg="Listening on" address=127.0.0.1:33243').
                "--web.listen-address=127.0.0.1:0",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.port = int(wait_for(self._port, 60, "prometheus' port in its log", interval=0.1))
        wait_for(self._ready, 60, "prometheus ready", interval=0.2)

    def _port(self):
        with open(self.log.name) as f:
            text = f.read()
        check(self.proc.poll() is None, f"prometheus exited: {text[-2000:]}")
        m = re.search(r'msg="Listening on" address=127\.0\.0\.1:(\d+)', text)
        return m.group(1) if m else None

    def _ready(self):
        check(self.proc.poll() is None, f"prometheus exited: {open(self.log.name).read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, promql):
        """Instant query: a list of (labels, value) pairs."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=5) as r:
            answer = json.load(r)
        check(answer["status"] == "success", f"query {promql}: {answer}")
        return [(s["metric"], float(s["value"][1])) for s in answer["data"]["result"]]

    def value(self, promql):
        """The single value of `promql`, or None when it has no series."""
        result = self.query(promql)
        return result[0][1] if result else None

    def rules(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/rules", timeout=5) as r:
            return json.load(r)["data"]["groups"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def prometheus_scrape(binary, workdir):
    broker = Broker(binary, partitions=4)
    prometheus = None
    try:
        # Commits every 3 s (and not earlier for a full window): after a batch, the
        # committed offset trails the high watermark for a few seconds, long enough
        # for several scrapes to see lag.
        sets = (CONSUMER, "runtime.commit_interval_ms=3000", "runtime.max_inflight_records=10000")
        daemon = Daemon(binary, workdir, "obs", broker.bootstrap, sets=sets)
        daemon.wait_ready()
        alerts = os.path.join(SOURCE, "helm", "ingestd", "files", "alerts.yaml")
        prometheus = Prometheus(workdir, [f"127.0.0.1:{daemon.port}"], rule_files=[alerts])
        wait_for(lambda: prometheus.value('up{job="ingestd"}') == 1, 30, "prometheus scraping the daemon")
        groups = {g["name"] for g in prometheus.rules()}
        check({"ingestd.throughput", "ingestd.data", "ingestd.health"} <= groups, f"rule groups loaded: {groups}")

        # Batch 1: records_in moves; its commit makes the lag known (0 once committed).
        first = make_articles(500, seed_prefix="a")
        produce(broker.bootstrap, "articles.raw", first)
        wait_for(
            lambda: (prometheus.value("ingestd_records_in_total") or 0) >= len(first), 60, "records_in in prometheus"
        )
        wait_for(lambda: prometheus.value("ingestd_kafka_consumer_lag_records") == 0, 60, "lag 0 after batch 1")

        # Batch 2: lag rises (processed, not yet committed), then falls back to 0.
        second = make_articles(2000, seed_prefix="b")
        produce(broker.bootstrap, "articles.raw", second)
        peak = wait_for(
            lambda: prometheus.value("max_over_time(ingestd_kafka_consumer_lag_records[1m])") or None,
            60,
            "lag above 0 in prometheus",
        )
        wait_for(lambda: prometheus.value("ingestd_kafka_consumer_lag_records") == 0, 60, "lag back to 0")
        total = len(first) + len(second)
        wait_for(lambda: (prometheus.value("ingestd_records_in_total") or 0) >= total, 60, "all records_in")
        increase = prometheus.value(
            "max_over_time(ingestd_records_in_total[5m]) - min_over_time(ingestd_records_in_total[5m])"
        )
        check(increase and increase >= len(second), f"records_in moved by {increase}")
        per_partition = prometheus.query("ingestd_kafka_partition_lag_records")
        check(len(per_partition) == 4, f"lag series per partition: {per_partition}")
        print(f"prometheus saw records_in reach {total} and lag peak {peak:.0f} then 0", flush=True)

        daemon.signal(signal.SIGTERM)
        check(daemon.wait_exit(30) == 0, "daemon did not exit 0")
    finally:
        if prometheus:
            prometheus.stop()
        broker.stop()


CASES = {"metrics_promtool": metrics_promtool, "prometheus_scrape": prometheus_scrape}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix=f"ingestd-obs-{args.case}-") as workdir:
        try:
            CASES[args.case](os.path.abspath(args.binary), workdir)
        except BaseException:
            for d in RUNNING:
                print(f"--- {d.name} log (tail) ---\n{d.log_text()[-4000:]}", file=sys.stderr)
            raise
        finally:
            for d in RUNNING:
                d.kill()
    print(f"{args.case}: ok")


if __name__ == "__main__":
    main()
