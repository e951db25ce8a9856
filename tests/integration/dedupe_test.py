#!/usr/bin/env python3
"""Integration test of the shared dedupe index (issue 5): two `ingestd run` daemons in
one group, originals on one partition, copies on the others (so the other daemon
judges some), every copy caught; then a restarted daemon still catches a copy of an
article indexed before the restart.

  dedupe_test.py --binary build/ingestd
"""
import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile

from harness import RUNNING, Broker, Daemon, check, consume, wait_for

SYLLABLES = "ka ri mo sa le na tu vo de bi ha zu ro mi ga pe lo fi ne su".split()


def prose(seed, words=300):
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(words)) + "."


def produce_to(bootstrap, partition, articles):
    lines = "".join(json.dumps(a) + "\n" for a in articles)
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "articles.raw", "-p", str(partition)],
                   input=lines, text=True, check=True, timeout=60)


def events(bootstrap, topic):
    return [json.loads(r["payload"]) for r in consume(bootstrap, topic) if r.get("payload")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    sets = ["pipeline.stages=[normalize,dedupe]"]
    with tempfile.TemporaryDirectory(prefix="ingestd-dedupe-") as work:
        broker = Broker(args.binary, partitions=4)
        try:
            a = Daemon(args.binary, work, "a", broker.bootstrap, sets=sets)
            b = Daemon(args.binary, work, "b", broker.bootstrap, sets=sets)
            wait_for(lambda: a.metric("ingestd_assigned_partitions") > 0 and b.metric("ingestd_assigned_partitions") > 0,
                     60, "both daemons assigned")
            n = 12
            originals = [{"id": f"o{i}", "url": f"https://a.example/{i}", "text": prose(i)} for i in range(n)]
            produce_to(broker.bootstrap, 0, originals)
            wait_for(lambda: len(events(broker.bootstrap, "articles.enriched")) >= n, 60, "originals enriched")
            # Copies on the three other partitions: whoever owns them judges them.
            copies = []
            for i in range(n):
                text = prose(i)
                copy = {"id": f"c{i}", "url": f"https://b.example/{i}",
                        "text": text if i % 2 else text[: len(text) // 2] + " Click here to read the rest"}
                copies.append(copy)
                produce_to(broker.bootstrap, 1 + i % 3, [copy])
            wait_for(lambda: len(events(broker.bootstrap, "articles.duplicates")) >= n, 60, "copies caught")
            dups = {e["id"]: e["dedupe"] for e in events(broker.bootstrap, "articles.duplicates")}
            for i in range(n):
                check(dups.get(f"c{i}", {}).get("duplicate_of") == f"o{i}", f"c{i} not linked to o{i}: {dups.get(f'c{i}')}")
            for d in (a, b):
                d.signal(signal.SIGTERM)
                check(d.wait_exit(20) == 0, f"{d.name} did not exit 0")
            # A restarted daemon restores the index from the topic before it reports ready.
            c = Daemon(args.binary, work, "c", broker.bootstrap, sets=sets)
            c.wait_ready(60)
            produce_to(broker.bootstrap, 2, [{"id": "late", "url": "https://c.example/late", "text": prose(3)}])
            wait_for(lambda: any(e["id"] == "late" for e in events(broker.bootstrap, "articles.duplicates")), 60,
                     "copy caught after restart")
            late = [e for e in events(broker.bootstrap, "articles.duplicates") if e["id"] == "late"][0]
            check(late["dedupe"]["duplicate_of"] == "o3", f"late copy linked to {late['dedupe']}")
            c.signal(signal.SIGTERM)
            check(c.wait_exit(20) == 0, "c did not exit 0")
        except Exception as e:  # noqa: BLE001
            print(f"FAIL dedupe: {type(e).__name__}: {e}", file=sys.stderr)
            import glob

            for log in sorted(glob.glob(f"{work}/*.log")):
                print(f"--- {log} (tail)", file=sys.stderr)
                with open(log) as f:
                    print(f.read()[-3000:], file=sys.stderr)
            return 1
        finally:
            for d in RUNNING:
                d.kill()
            broker.stop()
    print("PASS dedupe")
    return 0


if __name__ == "__main__":
    sys.exit(main())
