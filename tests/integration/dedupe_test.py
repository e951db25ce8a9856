#!/usr/bin/env python3
"""Integration tests of the shared dedupe index (issue 5).

two_daemons_and_restart: two `ingestd run` daemons in one group, originals on one
partition, copies on the others (so the other daemon judges some), every copy caught;
then a restarted daemon still catches a copy of an article indexed before the restart.

probes_during_restore: a daemon restoring a large index from the topic (the broker
answering slowly, so the restore takes seconds on any machine) answers /healthz 200 and
/readyz 503 ("restoring dedupe index: N entries") while it restores, then becomes ready
with every entry applied. A second daemon sent SIGTERM midway through its restore stops
it early (fewer entries than the topic holds), exits 0, publishes nothing and commits
nothing (a third daemon afterwards gets every input).

index_undelivered_at_kill: the index topic's partitions lead on broker 2, everything else on
broker 1; broker 2 goes down, so daemon a's index entries stay queued in its producer while
its outputs are acknowledged. a is SIGKILLed once it has committed (or says a due commit
waits for the entries: ingestd_offset_commit_waiting_for_index), broker 2 comes back and
daemon b restores the index and consumes from the group's committed offsets. A copy of each
original must then go to duplicates: an original committed without its entry in the index
would let its copy through as new (why a record is committed only once its entry is delivered:
stages/dedupe/README.md). Fails on a daemon that commits without waiting for the entries.

index_down_at_sigterm: the same placement; with broker 2 down, /readyz says commits wait for the
index entries, then SIGTERM while they do: the daemon gives the final commit up within its grace period, exits 0,
its summary counts every record uncommitted, and a daemon started once broker 2 is back
consumes them again.

  dedupe_test.py [two_daemons_and_restart|probes_during_restore|index_undelivered_at_kill|index_down_at_sigterm]
      --binary build/ingestd
"""
import argparse
import json
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

from harness import (
    RUNNING,
    Broker,
    Daemon,
    Outputs,
    check,
    check_every_input_once,
    check_no_copy_of_itself,
    consume,
    count_outputs,
    input_positions,
    log_fields,
    run_case,
    stop_daemon,
    wait_every_input_out,
    wait_for,
)

RESTORE_RTT_MS = 300

SYLLABLES = "ka ri mo sa le na tu vo de bi ha zu ro mi ga pe lo fi ne su".split()


def prose(seed, words=300):
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(words)) + "."


def produce_to(bootstrap, partition, articles):
    lines = "".join(json.dumps(a) + "\n" for a in articles)
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "articles.raw", "-p", str(partition)],
                   input=lines, text=True, check=True, timeout=60)


def produce_spread(bootstrap, partitions, articles, shift=0):
    """Article i to partition (i + shift) mod partitions, in order within each partition."""
    for p in range(partitions):
        produce_to(bootstrap, (p + shift) % partitions, articles[p::partitions])


def events(bootstrap, topic):
    return [json.loads(r["payload"]) for r in consume(bootstrap, topic) if r.get("payload")]


def index_entry(rng, i, now):
    """One encoded dedupe index entry (stages/dedupe/index_entry.cc, version 2), free of
    newline and tab bytes so that kcat can read it as a line."""
    while True:
        article_id = f"r{i:07d}"
        body = struct.pack("<QQQQQQqII", rng.getrandbits(64), rng.getrandbits(64), 0, 0, rng.getrandbits(64),
                           rng.getrandbits(64) | 1, now - rng.randrange(3600), 900, rng.getrandbits(32))
        fingerprints = sorted(rng.getrandbits(16) for _ in range(64))
        keys = [rng.getrandbits(32) for _ in range(12)]
        story = [rng.getrandbits(16) for _ in range(12)]
        story_keys = [rng.getrandbits(32) for _ in range(3)]
        entry = (struct.pack("<BH", 2, len(article_id)) + article_id.encode() + body + struct.pack("<BB", 64, 12) +
                 struct.pack("<64H", *fingerprints) + struct.pack("<12I", *keys) + struct.pack("<BBB", 16, 12, 3) +
                 struct.pack("<12H", *story) + struct.pack("<3I", *story_keys))
        if b"\n" not in entry and b"\t" not in entry:
            return article_id.encode() + b"\t" + entry + b"\n"


def restored_entries(log):
    """(entries, stopped early) from the restorer's last line, or None before it."""
    m = re.search(r"dedupe index: restored (\d+) entries from \S+( \(stopped early\))?", log)
    return (int(m.group(1)), bool(m.group(2))) if m else None


def probes_during_restore(args, work, broker, sets):
    n = 50000  # of 150 000, the embedded (mock) broker kept only about 65 000 for the restore to read
    rng = random.Random(7)
    now = int(time.time())
    lines = b"".join(index_entry(rng, i, now) for i in range(n))
    subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", "ingestd.dedupe-index", "-K", "\t", "-z", "lz4"],
                   input=lines, check=True, timeout=120)
    # Every broker answer comes after RESTORE_RTT_MS: the restore takes several round trips
    # (a watermark query per partition, one after the other, then the fetches), so it lasts
    # seconds however fast this machine is, and a probe sees it running.
    broker.command(f"rtt 1 {RESTORE_RTT_MS}")
    d = Daemon(args.binary, work, "r", broker.bootstrap, sets=sets)
    restoring = []  # (healthz status, readyz body) seen while the index restored
    deadline = time.monotonic() + 120
    while True:
        check(time.monotonic() < deadline, "not ready within 120 s")
        ready, body = d.get("/readyz")
        if ready == 200:
            break
        health, _ = d.get("/healthz")
        if "restoring dedupe index" in body:
            restoring.append((health, body.strip()))
        time.sleep(0.02)  # a poll interval, not a synchronisation
    check(restoring, "never saw /readyz report the restore")
    check(all(h == 200 for h, _ in restoring), f"/healthz not 200 while restoring: {restoring[:5]}")
    counts = [int(m.group(1)) for _, b in restoring for m in [re.search(r"restoring dedupe index: (\d+) entries", b)] if m]
    check(counts == sorted(counts), f"restore progress went backwards: {counts[:20]}")
    print(f"probes during restore: {len(restoring)}, progress {counts[0]} .. {counts[-1]} entries", file=sys.stderr)
    check(d.metric("ingestd_dedupe_index_entries") == n, f"index holds {d.metric('ingestd_dedupe_index_entries')}")
    check(restored_entries(d.log_text()) == (n, False), f"restore line: {restored_entries(d.log_text())}")
    d.signal(signal.SIGTERM)
    check(d.wait_exit(20) == 0, "r did not exit 0")

    # SIGTERM while restoring: the restore stops early and the daemon exits 0 without
    # consuming. Input waits on the topic meanwhile.
    inputs = [{"id": f"in{i}", "url": f"https://in.example/{i}", "text": prose(1000 + i)} for i in range(20)]
    produce_to(broker.bootstrap, 0, inputs)
    s = Daemon(args.binary, work, "s", broker.bootstrap, sets=sets)

    def restoring_midway():
        """Entries applied so far once the restore is past its first fetch (each fetch
        brings at most max.partition.fetch.bytes per partition: several round trips)."""
        status, body = s.get("/readyz")
        check(status != 200, "s became ready before it was signalled: the case proves nothing")
        m = re.search(r"restoring dedupe index: (\d+) entries", body)
        return int(m.group(1)) if m and int(m.group(1)) > 0 else None

    midway = wait_for(restoring_midway, 60, "s restoring", interval=0.02)
    s.signal(signal.SIGTERM)
    check(s.wait_exit(20) == 0, "s did not exit 0 after SIGTERM during the restore")
    log = s.log_text()
    restored = restored_entries(log)
    check(restored is not None, "no 'restored N entries' line from s")
    check(restored[1] and midway <= restored[0] < n,
          f"s restored {restored[0]} of {n} entries (signalled at {midway}), stopped early: {restored[1]}")
    check("consuming articles.raw" not in log and "assigned" not in log, "s started consuming")
    check(count_outputs(broker.bootstrap) == 0, "s published outputs")
    print(f"SIGTERM during restore at {midway} entries: stopped after {restored[0]} of {n}, nothing consumed",
          file=sys.stderr)
    # Nor did it commit anything: a daemon afterwards (no dedupe, no restore) gets every input from the group's
    # committed offsets, none of them past an input.
    broker.command("rtt 1 0")
    t = Daemon(args.binary, work, "t", broker.bootstrap, sets=["pipeline.stages=[normalize]"])
    wait_for(lambda: len(events(broker.bootstrap, "articles.enriched")) >= len(inputs), 60, "t's outputs")
    ids = sorted(e["id"] for e in events(broker.bootstrap, "articles.enriched"))
    check(ids == sorted(a["id"] for a in inputs), f"after s, t enriched {ids}")
    t.signal(signal.SIGTERM)
    check(t.wait_exit(20) == 0, "t did not exit 0")


def index_on_broker_2(binary, partitions):
    """Two brokers: the dedupe index topic's partitions lead on broker 2; the input, the outputs
    and the group's coordinator on broker 1. Returns the broker and broker 1's address: kcat
    reads and writes through broker 1 only (it leads every topic kcat uses), so it never
    retries broker 2 while that is down."""
    index_topic = "ingestd.dedupe-index"  # kafka.topics.dedupe_index's default
    broker = Broker(binary, partitions=partitions, brokers=2)
    for topic in ("articles.raw",) + Outputs.TOPICS:
        for p in range(partitions):
            broker.command(f"leader {topic} {p} 1")
    for p in range(partitions):
        broker.command(f"leader {index_topic} {p} 2")
    broker.command("coordinator group itest 1")  # the Daemon helper's kafka.group_id
    return broker, broker.bootstrap.split(",")[0]


# The two index cases' daemons: dedupe behind normalize, and commits due every 200 ms.
INDEX_CASE_SETS = ["pipeline.stages=[normalize,dedupe]", "runtime.commit_interval_ms=200"]


def start_a_then_index_down(binary, work, broker, partitions, sets):
    """Daemon a, ready and assigned every partition (its restore reads the index topic, so
    broker 2 is still up); then broker 2 goes down: a's index entries can no longer leave
    its producer."""
    a = Daemon(binary, work, "a", broker.bootstrap, sets=sets)
    a.wait_ready(60)
    wait_for(lambda: a.metric("ingestd_assigned_partitions") == partitions, 60, "a assigned every partition")
    broker.command("down 2")
    return a


def index_undelivered_at_kill(binary, work):
    n, partitions = 40, 4
    broker, one = index_on_broker_2(binary, partitions)
    try:
        sets = INDEX_CASE_SETS
        a = start_a_then_index_down(binary, work, broker, partitions, sets)

        originals = [{"id": f"o{i}", "url": f"https://a.example/{i}", "text": prose(500 + i)} for i in range(n)]
        produce_spread(one, partitions, originals)
        wait_for(lambda: len(events(one, "articles.enriched")) >= n, 60, "a's originals enriched")

        def committed_or_waiting():
            if a.metric("ingestd_offset_commit_waiting_for_index") == 1:
                return "waiting for the index"
            if a.metric("ingestd_offset_commits_total") > 0:
                return "committed"
            return None

        a_state = wait_for(committed_or_waiting, 60, "a committing or waiting for its index entries")
        published = a.metric('ingestd_dedupe_log_records_total{event="published"}')
        commits = a.metric("ingestd_offset_commits_total")
        a.kill()
        print(f"a SIGKILLed with its {n} originals out ({a_state}; {published:.0f} index entries handed to its "
              f"producer, {commits:.0f} commits)", flush=True)
        broker.command("up 2")

        b = Daemon(binary, work, "b", broker.bootstrap, sets=sets)
        b.wait_ready(60)
        restored = restored_entries(b.log_text())
        wait_for(lambda: b.metric("ingestd_assigned_partitions") == partitions, 60, "b assigned every partition")
        # A marker per partition, behind the originals: once b has put every marker out, it has
        # judged (and indexed) whatever originals it consumed again, since outputs leave in input
        # order per partition. Only then the copies, so none races its original.
        markers = [{"id": f"m{p}", "url": f"https://m.example/{p}", "text": prose(900 + p)} for p in range(partitions)]
        produce_spread(one, partitions, markers)
        wait_for(lambda: {m["id"] for m in markers} <= {e["id"] for e in events(one, "articles.enriched")},
                 60, "b's markers enriched")
        again = b.metric("ingestd_records_in_total") - len(markers)
        # The copies, as a scraper republishing the same text would send them: new ids and urls.
        copies = [dict(o, id=f"c{i}", url=f"https://b.example/{i}") for i, o in enumerate(originals)]
        produce_spread(one, partitions, copies, shift=1)
        inputs = input_positions(one)
        wait_every_input_out(one, inputs, 60, [b])

        # Nothing lost, each input in one topic, repeated only by b consuming originals again.
        out = check_every_input_once(one, inputs, allow_extra=n)
        topic_of = {json.loads(inputs[pos]["payload"])["id"]: outs[0][0] for pos, outs in out.by_position.items()}
        dups = {e["id"]: e["dedupe"] for e in events(one, "articles.duplicates")}
        leaked = [c["id"] for c in copies if topic_of.get(c["id"]) == "articles.enriched"]
        print(f"b restored {restored[0] if restored else '?'} entries, consumed {again:.0f} originals again; "
              f"copies: {n - len(leaked)} of {n} in duplicates, {len(leaked)} in enriched", flush=True)
        check(not leaked, f"{len(leaked)} of {n} copies went to enriched, e.g. {leaked[:5]}: a committed their "
                          "originals while the originals' index entries were still in its producer, and died with them")
        for i, c in enumerate(copies):
            check(dups.get(c["id"], {}).get("duplicate_of") == f"o{i}",
                  f"{c['id']} not linked to o{i}: {dups.get(c['id'])}")
        # Every input in exactly one output topic, once, except the originals b consumed again.
        original_ids = {o["id"] for o in originals}
        twice = [pos for pos, outs in out.by_position.items() if len(outs) > 1]
        strangers = [pos for pos in twice if json.loads(inputs[pos]["payload"])["id"] not in original_ids]
        check(not strangers, f"inputs out more than once that are not originals consumed again: {strangers[:5]}")
        check(all(len(outs) <= 2 for outs in out.by_position.values()), "an input out more than twice")
        check(len(twice) == again, f"{len(twice)} originals out twice, but b consumed {again:.0f} again")
        check_no_copy_of_itself(out)
        print(f"checked {len(inputs)} inputs: {out.total()} outputs, {len(twice)} originals out twice", flush=True)
        stop_daemon(b)
    finally:
        broker.stop()


def index_down_at_sigterm(binary, work):
    """SIGTERM while the index topic is down and commits wait for its entries (by then /readyz
    says so): the daemon gives the final commit up within the grace period, exits 0 (not by the exit watchdog),
    says in its summary that the records are uncommitted, and a daemon started once the
    index is back consumes them again: nothing lost."""
    n, partitions, grace_s = 12, 4, 15  # the Daemon helper's runtime.shutdown_grace_ms
    broker, one = index_on_broker_2(binary, partitions)
    try:
        sets = INDEX_CASE_SETS
        a = start_a_then_index_down(binary, work, broker, partitions, sets)
        articles = [{"id": f"t{i}", "url": f"https://t.example/{i}", "text": prose(700 + i)} for i in range(n)]
        produce_spread(one, partitions, articles)
        inputs = input_positions(one)
        wait_every_input_out(one, inputs, 60, [a])
        wait_for(lambda: a.metric("ingestd_offset_commit_waiting_for_index") == 1, 30, "a's commit waiting")
        # After 30 s without progress /readyz says why (the runtime's no-progress window).
        wait_for(lambda: "commits wait for dedupe index entries" in a.get("/readyz")[1], 60,
                 "a's /readyz naming the wait")
        check(a.get("/readyz")[0] == 503, "a ready while nothing moves")

        started = time.monotonic()
        a.signal(signal.SIGTERM)
        code = a.wait_exit(grace_s + 10)
        took = time.monotonic() - started
        log = a.log_text()
        print(f"a exited {code} {took:.1f} s after SIGTERM", flush=True)
        check(code == 0, f"a exited {code}, not 0:\n{log[-3000:]}")
        check("grace period passed" not in log, "the exit watchdog ended a")
        check(took < grace_s, f"a took {took:.1f} s, over its grace of {grace_s} s")
        check("final commit: not committed" in log, "no warning that the final commit was given up")
        summary = log_fields(a, "summary")
        check(len(summary) == 1 and summary[0]["uncommitted"] == n, f"summary {summary}: expected uncommitted={n}")
        check("exiting with 0" in log, "a did not reach the end of its shutdown")

        broker.command("up 2")
        b = Daemon(binary, work, "b", broker.bootstrap, sets=sets)
        b.wait_ready(60)
        wait_for(lambda: b.metric("ingestd_records_in_total") >= n, 60, "b consuming a's uncommitted records")
        wait_every_input_out(one, inputs, 60, [b])
        out = check_every_input_once(one, inputs, allow_extra=n)
        twice = [pos for pos, outs in out.by_position.items() if len(outs) == 2]
        check(len(twice) == n, f"{len(twice)} of {n} inputs out twice, expected all (a committed none)")
        check_no_copy_of_itself(out)
        print(f"b consumed the {n} records again: every input out, {out.total()} outputs", flush=True)
        stop_daemon(b)
    finally:
        broker.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", nargs="?", default="two_daemons_and_restart",
                        choices=["two_daemons_and_restart", "probes_during_restore", "index_undelivered_at_kill",
                                 "index_down_at_sigterm"])
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    cases = {"index_undelivered_at_kill": index_undelivered_at_kill, "index_down_at_sigterm": index_down_at_sigterm}
    if args.case in cases:  # cases for harness.run_case (budget, logs on failure)
        return run_case({args.case: cases[args.case]}, budget=165)
    sets = ["pipeline.stages=[normalize,dedupe]"]
    with tempfile.TemporaryDirectory(prefix="ingestd-dedupe-") as work:
        broker = Broker(args.binary, partitions=4)
        try:
            if args.case == "probes_during_restore":
                probes_during_restore(args, work, broker, sets)
                print("PASS dedupe probes_during_restore")
                return 0
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
    print("PASS dedupe two_daemons_and_restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
