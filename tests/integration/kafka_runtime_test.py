#!/usr/bin/env python3
"""Integration tests of `ingestd run` against `ingestd embedded-broker`, with kcat as
the outside client. One case per ctest test (label `integration`):

  kafka_runtime_test.py CASE --binary build/ingestd
"""
import json
import os
import re
import subprocess
import signal
import sys
import threading
import time

from harness import (
    Broker,
    Daemon,
    check,
    check_no_copy_of_itself,
    check_every_input_once,
    consume,
    count_outputs,
    headers_of,
    input_positions,
    log_fields,
    make_articles,
    produce,
    run_case,
    stop_daemon,
    wait_all_out,
    wait_every_input_out,
    wait_for,
)


def check_dead_letters(out, inputs):
    dead = out.records["articles.dead-letter"]
    check(dead, "no dead letters although malformed records were sent")
    for r in dead:
        h = headers_of(r)
        pos = (int(h["ingestd.error.partition"]), int(h["ingestd.error.offset"]))
        src = inputs[pos]
        check(r["payload"] == src["payload"], f"dead letter {pos}: value changed")
        check(r["key"] == src["key"], f"dead letter {pos}: key changed")
        for name in ("ingestd.error.stage", "ingestd.error.reason", "ingestd.error.message"):
            check(h.get(name), f"dead letter {pos}: header {name} missing")
        check(h["ingestd.error.topic"] == "articles.raw", f"dead letter {pos}: source topic {h['ingestd.error.topic']}")
        # Input headers are kept too.
        check(headers_of(src).items() <= h.items(), f"dead letter {pos}: input headers lost")
    print(f"checked {len(dead)} dead letters: bytes, key and headers", flush=True)


def check_order_and_keys(out):
    """Records of one input partition leave in order: in every output partition, the
    input offsets of each input partition increase strictly. Events are keyed by id."""
    for topic, records in out.records.items():
        last = {}  # (output partition, input partition) -> input offset
        for r in sorted(records, key=lambda r: (r["partition"], r["offset"])):
            if topic == "articles.dead-letter":
                h = headers_of(r)
                src = (int(h["ingestd.error.partition"]), int(h["ingestd.error.offset"]))
            else:
                event = json.loads(r["payload"])
                check(r["key"] == event["id"], f"{topic} {r['partition']}@{r['offset']}: key {r['key']!r} is not "
                                               f"the article id {event['id']!r}")
                src = (event["input"]["partition"], event["input"]["offset"])
            k = (r["partition"], src[0])
            check(last.get(k, -1) < src[1], f"{topic} partition {r['partition']}: input {src[0]}@{src[1]} after "
                                            f"{src[0]}@{last.get(k)}")
            last[k] = src[1]
    print("checked order per input partition and event keys", flush=True)


def case_clean_run(binary, work):
    broker = Broker(binary, partitions=6)
    try:
        records = make_articles(3000)
        good = [r for i, r in enumerate(records) if i % 2 == 0]
        odd = [r for i, r in enumerate(records) if i % 2 == 1]
        produce(broker.bootstrap, "articles.raw", good)
        produce(broker.bootstrap, "articles.raw", odd, headers=["scraper=itest", "batch=2"])
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == 3000, f"{len(inputs)} inputs in the topic")
        check(len({p for p, _ in inputs}) == 6, "inputs not spread over 6 partitions")
        d = Daemon(binary, work, "d1", broker.bootstrap, sets=["logging.progress_interval_ms=1000"])
        d.wait_ready()
        wait_all_out(broker.bootstrap, len(inputs), 90, [d])
        out = check_every_input_once(broker.bootstrap, inputs)
        check_dead_letters(out, inputs)
        check_order_and_keys(out)
        check(d.metric("ingestd_records_in_total") == 3000, "records_in_total != 3000")
        # The progress lines (one a second here) add up to what came in so far.
        wait_for(lambda: sum(f["in"] for f in log_fields(d, "progress")) == 3000, 10, "progress lines adding up to 3000")
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        code = d.wait_exit(15)
        check(code == 0, f"exit code {code} after SIGTERM")
        print(f"SIGTERM -> exit 0 in {time.monotonic() - start:.2f}s", flush=True)
        # After the exit too: the drain added nothing and lost nothing.
        after = check_every_input_once(broker.bootstrap, inputs)
        check(after.total() == out.total(), "the drain published extra outputs")
        # The summary at exit counts each output as the topics hold them.
        summaries = log_fields(d, "summary")
        check(len(summaries) == 1, f"{len(summaries)} summary lines")
        counts = {t: len(after.records[t]) for t in after.TOPICS}
        want = {"in": 3000, "enriched": counts["articles.enriched"], "duplicates": counts["articles.duplicates"],
                "dead_letters": counts["articles.dead-letter"], "uncommitted": 0}
        got = {k: summaries[0][k] for k in want}
        check(got == want, f"summary {got}, the topics say {want}")
    finally:
        broker.stop()


def case_sigkill_restart(binary, work):
    inflight = 200
    broker = Broker(binary, partitions=4)
    try:
        broker.command("rtt 1 20")  # slow enough to kill it mid-run
        produce(broker.bootstrap, "articles.raw", make_articles(4000))
        inputs = input_positions(broker.bootstrap)
        sets = [f"runtime.max_inflight_records={inflight}"]
        d = Daemon(binary, work, "first", broker.bootstrap, sets=sets)
        # The daemon's own counter: reading the output topics takes longer than the whole run.
        wait_for(lambda: d.metric("ingestd_records_out_total") >= 800, 60, "800 outputs", interval=0.05)
        d.kill()
        done_at_kill = count_outputs(broker.bootstrap)
        print(f"SIGKILL after {done_at_kill} outputs", flush=True)
        check(done_at_kill < len(inputs), "the daemon finished before it was killed; the test proves nothing")
        d2 = Daemon(binary, work, "second", broker.bootstrap, sets=sets)
        wait_every_input_out(broker.bootstrap, inputs, 90)
        check_every_input_once(broker.bootstrap, inputs, allow_extra=inflight)
        d2.signal(signal.SIGTERM)
        check(d2.wait_exit(15) == 0, "second daemon did not exit 0")
    finally:
        broker.stop()


def case_two_daemons(binary, work):
    broker = Broker(binary, partitions=6)
    try:
        broker.command("rtt 1 10")
        produce(broker.bootstrap, "articles.raw", make_articles(4000))
        inputs = input_positions(broker.bootstrap)
        # Dedupe in the chain, its index shared through the compacted topic: what b consumes
        # again after a leaves, it may find indexed by a, and must still send where a did.
        sets = ["runtime.max_inflight_records=200", "pipeline.stages=[normalize,dedupe]"]
        a = Daemon(binary, work, "a", broker.bootstrap, sets=sets)
        b = Daemon(binary, work, "b", broker.bootstrap, sets=sets)
        # Both members hold partitions before one leaves.
        wait_for(lambda: a.metric("ingestd_assigned_partitions") > 0 and b.metric("ingestd_assigned_partitions") > 0,
                 60, "both daemons assigned")
        wait_for(lambda: a.metric("ingestd_records_in_total") > 100, 60, "a processing")
        a.signal(signal.SIGTERM)
        check(a.wait_exit(15) == 0, "a did not exit 0 after SIGTERM")
        check(count_outputs(broker.bootstrap) < len(inputs), "everything was done before a left; proves nothing")
        wait_for(lambda: b.metric("ingestd_assigned_partitions") == 6, 60, "b takes every partition")
        wait_every_input_out(broker.bootstrap, inputs, 90, [b])  # not a count: a's leaving may repeat some
        # The leaving member committed what it finished: repeats are bounded by its in-flight bound.
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=200)
        check_no_copy_of_itself(out)
        b.signal(signal.SIGTERM)
        check(b.wait_exit(15) == 0, "b did not exit 0")
    finally:
        broker.stop()


def case_member_killed(binary, work):
    """A member of a two-daemon group is SIGKILLed with finished work it has not committed; the
    survivor takes its partitions after the session timeout and consumes that work again. Dedupe
    shares its index, and the survivor has applied the dead member's entries for those very
    records: each must still go where it went the first time, never to duplicates as a copy of
    itself."""
    n, bound = 4000, 10000
    broker = Broker(binary, partitions=6)
    try:
        broker.command("rtt 1 20")  # acknowledgements spread out, so a's first commit covers only some
        # After the first acknowledgements, commits wait for half the bound (more than the whole
        # input) or for the interval (longer than the test).
        sets = [f"runtime.max_inflight_records={bound}", "runtime.commit_interval_ms=600000",
                "pipeline.stages=[normalize,dedupe]"]
        a = Daemon(binary, work, "a", broker.bootstrap, sets=sets)
        b = Daemon(binary, work, "b", broker.bootstrap, sets=sets)
        wait_for(lambda: a.metric("ingestd_assigned_partitions") == 3 and b.metric("ingestd_assigned_partitions") == 3,
                 60, "three partitions each")
        produce(broker.bootstrap, "articles.raw", make_articles(n))
        inputs = input_positions(broker.bootstrap)
        wait_every_input_out(broker.bootstrap, inputs, 90, [a, b])

        def log(d, event):
            return d.metric(f'ingestd_dedupe_log_records_total{{event="{event}"}}')

        # Each has applied every index entry the other published: a's are in b's index.
        wait_for(lambda: log(a, "published") > 0 and log(b, "applied") == log(a, "published")
                 and log(a, "applied") == log(b, "published"), 30, "each member's entries applied by the other")
        a.kill()
        wait_for(lambda: b.metric("ingestd_assigned_partitions") == 6, 60, "b takes every partition")
        # b consumes a's uncommitted records again and finds a's entries for them.
        wait_for(lambda: b.metric("ingestd_dedupe_redelivered_total") > 0 and count_outputs(broker.bootstrap) > n, 90,
                 "b judging a's records a second time")
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=n)
        repeats = sum(len(v) - 1 for v in out.by_position.values())
        check_no_copy_of_itself(out)
        print(f"a killed; {repeats} of its records out again so far, "
              f"{b.metric('ingestd_dedupe_redelivered_total'):.0f} found in the index as a had entered them", flush=True)
        stop_daemon(b)
    finally:
        broker.stop()


def case_broker_errors(binary, work):
    broker = Broker(binary, partitions=4)
    try:
        records = make_articles(3000)
        produce(broker.bootstrap, "articles.raw", records[:1000])
        d = Daemon(binary, work, "d", broker.bootstrap)
        d.wait_ready()
        wait_for(lambda: d.metric("ingestd_records_in_total") >= 1000, 60, "first batch consumed")
        # Produce, Fetch and OffsetCommit requests fail for a while (retriable errors:
        # NOT_LEADER_OR_FOLLOWER=6, REQUEST_TIMED_OUT=7, COORDINATOR_NOT_AVAILABLE=15).
        broker.command("errors 0 6 10")
        broker.command("errors 0 7 5")
        broker.command("errors 1 6 10")
        broker.command("errors 8 15 5")
        produce(broker.bootstrap, "articles.raw", records[1000:2000])
        wait_for(lambda: d.metric("ingestd_records_in_total") >= 2000, 60, "second batch consumed")
        # The broker goes away until the daemon has noticed, then comes back.
        broker.command("down 1")
        wait_for(lambda: "Connection refused" in d.log_text() or "Disconnected" in d.log_text()
                 or "brokers are down" in d.log_text(), 30, "the daemon to notice the broker is down")
        broker.command("up 1")
        produce(broker.bootstrap, "articles.raw", records[2000:])
        inputs = input_positions(broker.bootstrap)
        check(len(inputs) == 3000, f"{len(inputs)} inputs")
        wait_every_input_out(broker.bootstrap, inputs, 90)
        check(d.proc.poll() is None, "the daemon exited")
        check_every_input_once(broker.bootstrap, inputs, allow_extra=500)
        d.wait_ready()
        d.signal(signal.SIGTERM)
        check(d.wait_exit(15) == 0, "did not exit 0")
    finally:
        broker.stop()


def case_drain(binary, work):
    broker = Broker(binary, partitions=2)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(3000))
        inputs = input_positions(broker.bootstrap)
        grace_s = 8
        d = Daemon(binary, work, "d", broker.bootstrap, sets=["runtime.max_inflight_records=300",
                                                              f"runtime.shutdown_grace_ms={grace_s * 1000}"])
        d.wait_ready()
        check(d.get("/healthz")[0] == 200, "healthz")
        status, body = d.get("/reload", method="POST")
        check(status == 200, f"POST /reload: {status} {body}")
        check(d.get("/reload")[0] == 405, "GET /reload is not allowed")
        check(d.get("/nope")[0] == 404, "unknown path")
        metrics = d.get("/metrics")[1]
        for name in ("ingestd_records_in_total", "ingestd_records_out_total", "ingestd_stage_seconds",
                     "ingestd_inflight_records"):
            check(name in metrics, f"{name} missing from /metrics")
        wait_for(lambda: d.metric("ingestd_records_in_total") > 0, 60, "processing")
        # Slow acknowledgements, so the drain takes a moment.
        broker.command("rtt 1 400")
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        seen = []
        while d.proc.poll() is None and time.monotonic() - start < grace_s + 2:
            try:
                seen.append(d.get("/readyz")[0])
            except OSError:
                break  # the admin server closed just before exit
        code = d.wait_exit(grace_s + 2)
        elapsed = time.monotonic() - start
        # Exit 0 is the daemon's own proof that it beat its grace-period watchdog (which
        # exits 1); from outside add what signal delivery and process exit take.
        check(code == 0, f"exit code {code}")
        check(elapsed < grace_s + OUTSIDE_SLACK_S, f"took {elapsed:.1f}s, grace is {grace_s}s")
        # The first polls may come before the control thread handled the signal (200);
        # once /readyz says 503 it must stay 503 until the process is gone.
        check(503 in seen, f"/readyz never said 503 during the drain: {seen}")
        after = seen[seen.index(503):]
        check(all(s == 503 for s in after), f"/readyz went back to ready during the drain: {seen}")
        print(f"drain: /readyz 503 x{len(seen)}, exit 0 in {elapsed:.2f}s", flush=True)
        log = d.log_text()
        check("drained" in log or "drain deadline passed" in log, "no drain in the log")
        # A daemon afterwards takes over from the committed offsets: nothing lost, and after a
        # complete drain (everything acknowledged and committed) nothing repeated either.
        broker.command("rtt 1 0")
        clean = "drained" in log and "final commit" not in log
        after = Daemon(binary, work, "after", broker.bootstrap)
        wait_every_input_out(broker.bootstrap, inputs, 90)
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=0 if clean else 300)
        print(f"after the drain: {out.total()} outputs for {len(inputs)} inputs", flush=True)
        stop_daemon(after)
    finally:
        broker.stop()


# daemon/kafka_runtime.cc: after the drain the producer is flushed until CloseReserve()
# before the end of the grace period (a tenth of it, from 1 s to 5 s), then undeliverable
# outputs are purged for up to kPurgeWait. daemon/cmd_run.cc: the exit watchdog ends the
# process with 1 at the end of the grace period, counted from when the daemon handled the
# signal.
def close_reserve_s(grace_s):
    return min(max(grace_s / 10, 1.0), 5.0)
# What this side adds to the daemon's own clock: delivering and handling the signal,
# tearing the process down, waking this process from wait(). Seconds at most on a loaded
# two-core machine; nothing the daemon promises depends on it.
OUTSIDE_SLACK_S = 3


def log_times(text, *patterns):
    """The time (seconds, from the log line's UTC timestamp) of the first line matching each pattern."""
    out = []
    for pattern in patterns:
        m = re.search(r"^\d{4}-\d\d-\d\dT(\d\d):(\d\d):(\d\d\.\d+)Z .*" + pattern, text, re.M)
        out.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None)
    return out


def case_shutdown_broker_down(binary, work):
    """SIGTERM while the broker is down with records in flight: outputs cannot be delivered.
    The daemon still exits 0 within the grace period (it must not hang on the flush or on
    destroying the consumer, whose messages the queued outputs hold), having flushed for
    the grace period less the close reserve, and after the broker is back nothing was lost."""
    broker = Broker(binary, partitions=2)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(4000))
        inputs = input_positions(broker.bootstrap)
        broker.command("rtt 1 300")  # acknowledgements lag: records are in flight when it goes down
        grace_s = 6
        d = Daemon(binary, work, "d", broker.bootstrap,
                   sets=["runtime.max_inflight_records=300", f"runtime.shutdown_grace_ms={grace_s * 1000}"])
        wait_for(lambda: d.metric("ingestd_records_in_total") > 0, 60, "processing")
        broker.command("down 1")
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        code = d.wait_exit(grace_s + OUTSIDE_SLACK_S + 5)
        elapsed = time.monotonic() - start
        log = d.log_text()
        # Undeliverable outputs are purged once the flush has used what is left of the grace
        # period, so the clients close and the exit is clean. Exit 0 is the daemon's own
        # proof that it beat its grace-period watchdog (which exits 1).
        check(code == 0, f"exit code {code}:\n{log[-2000:]}")
        check("purging" in log, "the flush did not time out; the case proves nothing")
        # From outside: within the grace period plus what signal delivery and process exit
        # take, and not before the flush had its share (it ran until the close reserve).
        check(elapsed < grace_s + OUTSIDE_SLACK_S,
              f"took {elapsed:.1f}s with a grace period of {grace_s}s (+{OUTSIDE_SLACK_S}s for the outside)")
        check(elapsed >= grace_s - close_reserve_s(grace_s) - 0.05,  # the flush's timeout is in whole ms
              f"exited after {elapsed:.2f}s: the flush gave up before the close reserve of a {grace_s}s grace period")
        # The summary counts what the next owner will consume again: the commit could not reach the broker.
        summary = log_fields(d, "summary")
        check(len(summary) == 1 and 0 < summary[0]["uncommitted"] <= summary[0]["in"],
              f"summary lines {summary}: want one with 0 < uncommitted <= in")
        stopping, purging, exiting = log_times(log, r"stopping \(grace", "purging", "exiting with")
        if None not in (stopping, purging, exiting):
            print(f"broker down: SIGTERM -> exit {code} in {elapsed:.2f}s; in the log: purge at "
                  f"{purging - stopping:.2f}s, exit at {exiting - stopping:.2f}s after the signal", flush=True)
        broker.command("up 1")
        d2 = Daemon(binary, work, "after", broker.bootstrap)
        wait_every_input_out(broker.bootstrap, inputs, 90)
        check_every_input_once(broker.bootstrap, inputs, allow_extra=len(inputs))
        d2.signal(signal.SIGTERM)
        check(d2.wait_exit(15) == 0, "the daemon after the outage did not exit 0")
    finally:
        broker.stop()


def case_lost_while_paused(binary, work):
    """The group session is lost while backpressure has every partition paused: once the
    partitions are assigned again they are fetched again and nothing is lost. (librdkafka
    keeps an application pause across unassign and assign; the daemon used to forget its
    pause with the partitions and never resume them: the broker_faults stall.)"""
    partitions = 2
    broker = Broker(binary, partitions=partitions)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(2000))
        inputs = input_positions(broker.bootstrap)
        d = Daemon(binary, work, "d", broker.bootstrap, sets=["runtime.max_inflight_records=50"])
        wait_for(lambda: d.metric("ingestd_records_in_total") > 0, 60, "processing")
        # Produce requests fail (REQUEST_TIMED_OUT, retriable) until cleared: nothing is
        # acknowledged, the bound fills and every partition stays paused.
        broker.command("errors 0 7 100000")
        wait_for(lambda: d.metric("ingestd_paused_partitions") == partitions, 30, "backpressure to pause")
        consumed = d.metric("ingestd_records_in_total")
        # Heartbeat (12) answered UNKNOWN_MEMBER_ID (25): the assignment is lost, the member rejoins.
        broker.command("errors 11 14 3")  # JoinGroup: COORDINATOR_LOAD_IN_PROGRESS, so the rejoin takes a moment
        broker.command("errors 12 25 1")
        wait_for(lambda: "(lost)" in d.log_text(), 30, "the assignment to be lost")
        wait_for(lambda: d.metric("ingestd_assigned_partitions") == partitions, 30, "the partitions assigned again")
        # Fetched again although acknowledgements are still blocked (the lost records were abandoned).
        wait_for(lambda: d.metric("ingestd_records_in_total") > consumed, 30, "consuming again after the rejoin")
        broker.command("clear 0")
        wait_every_input_out(broker.bootstrap, inputs, 90)
        # Records abandoned with the lost assignment come again: at most two bounds' worth.
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=100)
        print(f"lost while paused: consuming again after the rejoin; {out.total()} outputs", flush=True)
        d.signal(signal.SIGTERM)
        check(d.wait_exit(15) == 0, "did not exit 0")
    finally:
        broker.stop()


def case_signals(binary, work):
    """SIGINT drains like SIGTERM (exit 0). A second signal during a drain exits at once
    with 128 + signal, long before the grace period. Nothing is lost either way."""
    broker = Broker(binary, partitions=2)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(3000))
        inputs = input_positions(broker.bootstrap)
        sets = ["runtime.max_inflight_records=300"]
        d = Daemon(binary, work, "sigint", broker.bootstrap, sets=sets)
        wait_for(lambda: d.metric("ingestd_records_in_total") > 0, 60, "processing")
        d.signal(signal.SIGINT)
        code = d.wait_exit(15)
        check(code == 0, f"exit {code} after SIGINT:\n{d.log_text()[-2000:]}")
        check("Interrupt: stopping" in d.log_text(), "SIGINT did not start a drain")

        # Slow acknowledgements, so the drain is still running at the second signal.
        broker.command("rtt 1 1000")
        d2 = Daemon(binary, work, "twice", broker.bootstrap, sets=sets)
        wait_for(lambda: d2.metric("ingestd_inflight_records") > 0, 60, "records in flight")
        d2.signal(signal.SIGTERM)
        wait_for(lambda: "draining:" in d2.log_text(), 10, "the drain to start")
        start = time.monotonic()
        d2.signal(signal.SIGTERM)
        code = d2.wait_exit(10)
        elapsed = time.monotonic() - start
        check(code == 128 + signal.SIGTERM, f"exit {code} after a second SIGTERM")
        check(elapsed < 5, f"the second signal took {elapsed:.1f}s to end the process (grace is 15 s)")
        check("again: exiting now" in d2.log_text(), "no log line for the second signal")
        # Its summary still comes, from the metrics: what was in flight stays uncommitted.
        m = re.search(r"summary seconds=\S+ in=(\d+) .*in_flight=(\d+) forced=second_signal", d2.log_text())
        check(m is not None, f"no forced summary line:\n{d2.log_text()[-2000:]}")
        check(int(m.group(1)) > 0 and 0 < int(m.group(2)) <= 300, f"forced summary: {m.group(0)}")
        print(m.group(0), flush=True)
        print(f"SIGINT: exit 0; second SIGTERM during the drain: exit {code} in {elapsed:.2f}s", flush=True)

        broker.command("rtt 1 0")
        d3 = Daemon(binary, work, "after", broker.bootstrap, sets=sets)
        wait_every_input_out(broker.bootstrap, inputs, 90)
        check_every_input_once(broker.bootstrap, inputs, allow_extra=2 * 300)
        stop_daemon(d3)
    finally:
        broker.stop()


def case_member_joins(binary, work):
    """A second member joins mid-run while the first has records in flight (produce requests
    failing for a while, so their acknowledgements lag): the cooperative rebalance moves
    some partitions; the first member finishes or abandons their records within the revoke
    deadline, commits, and lets go; both keep working, nothing lost.

    No commit may be in flight while a member's JoinGroup is: the coordinator answers it
    after the new generation exists, ILLEGAL_GENERATION, and librdkafka 2.0 then takes the
    whole assignment for lost (librdkafka issue #4059, fixed in 2.10). So this case
    commits only in the revoke callback and at exit (long commit interval, large bound),
    which makes the cooperative path certain; repeats stay within what was in flight."""
    partitions, n = 6, 4000
    broker = Broker(binary, partitions=partitions)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(n))
        inputs = input_positions(broker.bootstrap)
        sets = ["runtime.max_inflight_records=100000", "runtime.commit_interval_ms=120000"]
        a = Daemon(binary, work, "a", broker.bootstrap, sets=sets)
        wait_for(lambda: a.metric("ingestd_assigned_partitions") == partitions, 60, "a assigned everything")
        # The first commit goes at once; the next not before the interval.
        wait_for(lambda: a.metric("ingestd_offset_commits_total") >= 1, 30, "a's first commit")
        # Produce requests fail (REQUEST_TIMED_OUT, retried every 100 ms) for a few seconds.
        broker.command("errors 0 7 60")
        b = Daemon(binary, work, "b", broker.bootstrap, sets=sets)
        wait_for(lambda: b.metric("ingestd_assigned_partitions") > 0, 60, "b assigned partitions")
        revoked = [line for line in a.log_text().splitlines() if "ingestd: revoked" in line]
        check(revoked, "a never revoked a partition")
        check(not any("(lost)" in line for line in revoked), f"a lost its assignment: {revoked}")
        check(a.metric("ingestd_assigned_partitions") + b.metric("ingestd_assigned_partitions") == partitions,
              "the partitions are not split between a and b")
        wait_every_input_out(broker.bootstrap, inputs, 90)
        stop_daemon(a)
        stop_daemon(b)
        # Abandoned records were already produced: their outputs may still arrive, and b
        # produces them again. Nothing else repeats (a committed the rest when it let go),
        # unless the coordinator refused that commit because the group's next rebalance had
        # begun (REBALANCE_IN_PROGRESS: seen under load in CI): then b consumes the revoked
        # partitions from a's first commit again, at least once as designed, and only those
        # may repeat. Nothing may be lost either way.
        abandoned = sum(int(m) for m in re.findall(r"abandoned (\d+) unfinished", "\n".join(revoked)))
        allowed = abandoned
        if "commit on revoke: Broker: Group rebalance in progress" in a.log_text():
            moved = {int(p) for line in revoked for m in re.findall(r"\[([\d,]*)\]", line)
                     for p in m.split(",") if p}
            allowed += sum(1 for (partition, _) in inputs if partition in moved)
            print(f"a's commit on revoke was refused (rebalance in progress): up to {allowed} repeats allowed",
                  flush=True)
        out = check_every_input_once(broker.bootstrap, inputs, allow_extra=allowed)
        print(f"member joins: {revoked[0].split('ingestd: ', 1)[1]}; {out.total()} outputs", flush=True)
    finally:
        broker.stop()


def case_reload(binary, work):
    """POST /reload compiles the taxonomy (generated countries included: a second or more
    of CPU here) on a thread of its own: /healthz keeps answering while it runs, and SIGTERM
    during a reload still ends the process with 0 within the grace period.

    How long a reload takes depends on the machine: the case reloads until /healthz has
    answered a few times inside reloads, and starts another daemon when a reload was over
    before its SIGTERM, rather than requiring a reload to last some time."""
    taxonomy = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config", "taxonomy")
    broker = Broker(binary, partitions=1)
    try:
        # Exit waits for a running reload: give it a grace period that covers one on a loaded machine.
        sets = ["pipeline.stages=[normalize, tagging]", f"tagging.taxonomy_dir={os.path.normpath(taxonomy)}",
                "runtime.shutdown_grace_ms=40000"]
        d = Daemon(binary, work, "d", broker.bootstrap, sets=sets)
        d.wait_ready()

        def reload(daemon, answers):
            try:
                answers.append(daemon.get("/reload", method="POST", timeout=60))  # seconds of CPU, more under load
            except OSError as e:  # during SIGTERM: the daemon may exit before answering
                answers.append(e)

        during = []  # /healthz answers asked and received while a reload was outstanding, with their latency
        took = []
        while len(during) < 3 and len(took) < 50:
            answers = []
            worker = threading.Thread(target=reload, args=(d, answers))
            start = time.monotonic()
            worker.start()
            while worker.is_alive():
                asked = time.monotonic()
                status = d.get("/healthz")[0]
                if worker.is_alive():
                    during.append((status, time.monotonic() - asked))
                time.sleep(0.01)  # a poll interval, not a synchronisation
            took.append(time.monotonic() - start)
            check(isinstance(answers[0], tuple) and answers[0][0] == 200, f"POST /reload: {answers[0]}")
        check(len(during) >= 3, f"/healthz answered only {len(during)} times inside {len(took)} reloads")
        check(all(s == 200 for s, _ in during), f"/healthz during reloads: {during[:10]}")
        check(d.log_text().count("reloaded") == len(took), "not every reload logged 'reloaded'")
        print(f"{len(took)} reloads (longest {max(took):.2f}s); /healthz answered {len(during)} times meanwhile, "
              f"slowest {max(t for _, t in during) * 1000:.0f} ms", flush=True)

        for attempt in range(3):
            if attempt:
                d = Daemon(binary, work, f"d{attempt}", broker.bootstrap, sets=sets)
                d.wait_ready()
            started, reloaded = d.log_text().count("reload started"), d.log_text().count("reloaded")
            answers = []
            worker = threading.Thread(target=reload, args=(d, answers))
            worker.start()
            wait_for(lambda: d.log_text().count("reload started") > started, 10, "the reload to start", 0.01)
            start = time.monotonic()
            d.signal(signal.SIGTERM)
            during_reload = d.log_text().count("reloaded") == reloaded  # read after the signal went
            code = d.wait_exit(45)
            worker.join(5)
            check(code == 0, f"exit {code} after SIGTERM{' during a reload' if during_reload else ''}")
            if during_reload:
                print(f"SIGTERM during a reload: exit 0 in {time.monotonic() - start:.2f}s", flush=True)
                break
            print("the reload was over before SIGTERM: again with another daemon", flush=True)
        check(during_reload, "in three daemons the reload was over before SIGTERM: proves nothing")
    finally:
        broker.stop()


def case_sighup_reload(binary, work):
    """SIGHUP reloads the taxonomy (docs/runtime.md): an entity added to the taxonomy file
    tags the articles consumed after the reload, not those before. A SIGHUP with a broken
    file is logged and the taxonomy in use stays."""
    taxonomy = os.path.join(work, "taxonomy")
    os.makedirs(taxonomy)
    path = os.path.join(taxonomy, "itest.yaml")
    entity = "  - id: {id}\n    name: {name}\n    aliases: {{en: [{name}]}}\n"
    front = entity.format(id="org/xyzzy-front", name="Xyzzy Front")
    brigade = entity.format(id="org/plugh-brigade", name="Plugh Brigade")
    with open(path, "w") as f:
        f.write("entities:\n" + front)
    text = "The Xyzzy Front said on Tuesday that the Plugh Brigade attacked a market in the north. " * 3
    broker = Broker(binary, partitions=1)
    try:
        d = Daemon(binary, work, "d", broker.bootstrap,
                   sets=["pipeline.stages=[normalize, tagging]", f"tagging.taxonomy_dir={taxonomy}"])
        d.wait_ready()

        def tags_of(article_id):
            """The tag ids of `article_id`'s enriched event, once it is out."""
            for r in consume(broker.bootstrap, "articles.enriched"):
                event = json.loads(r["payload"])
                if event["id"] == article_id:
                    return sorted(t["id"] for t in event.get("tags", []))
            return None

        def publish_and_tags(article_id):
            article = {"id": article_id, "url": f"https://h.example/{article_id}", "title": "Market", "text": text}
            produce(broker.bootstrap, "articles.raw", [(article_id, json.dumps(article))])
            return wait_for(lambda: tags_of(article_id), 60, f"{article_id} enriched", interval=0.3)

        before = publish_and_tags("before")
        check(before == ["org/xyzzy-front"], f"tags before the reload: {before}")

        with open(path, "w") as f:
            f.write("entities:\n" + front + brigade)
        d.signal(signal.SIGHUP)
        wait_for(lambda: "reloaded" in d.log_text(), 60, "the SIGHUP reload")
        check("reload failed" not in d.log_text(), "the reload failed")
        after = publish_and_tags("after")
        check(after == ["org/plugh-brigade", "org/xyzzy-front"], f"tags after the reload: {after}")

        with open(path, "w") as f:
            f.write("entities:\n  - id: org/broken\n")  # no name, no aliases
        d.signal(signal.SIGHUP)
        wait_for(lambda: "reload failed" in d.log_text(), 60, "the failed SIGHUP reload")
        kept = publish_and_tags("kept")
        check(kept == after, f"tags after a failed reload: {kept}")
        check(d.proc.poll() is None, "the daemon exited after a failed reload")
        print(f"SIGHUP: tags {before} -> {after}; a broken file kept them", flush=True)
        stop_daemon(d)
    finally:
        broker.stop()


def case_fatal_delivery(binary, work):
    """The broker rejects every produce with a non-retriable error: the daemon stops with a
    non-zero exit, /healthz turns 503 first, and no offset of an unacknowledged record is
    committed, so a healthy daemon afterwards loses nothing."""
    broker = Broker(binary, partitions=2)
    try:
        produce(broker.bootstrap, "articles.raw", make_articles(300))
        inputs = input_positions(broker.bootstrap)
        broker.command("errors 0 87 100000")  # Produce: INVALID_RECORD, not retriable
        # Slow round trips: closing the clients after the fatal error (leave the group, flush)
        # then takes a while, a window in which /healthz must say 503.
        broker.command("rtt 1 200")
        d = Daemon(binary, work, "doomed", broker.bootstrap)
        health = []

        def exited():
            try:
                health.append(d.get("/healthz")[0])
            except OSError:
                pass
            return d.proc.poll() is not None

        wait_for(exited, 60, "the daemon to give up", interval=0.05)
        check(d.proc.returncode not in (0, None), f"exit code {d.proc.returncode} after a fatal delivery error")
        check("fatal" in d.log_text(), "no fatal error in the log")
        check(503 in health, f"/healthz never said 503 before the exit: {sorted(set(health))}")
        check(health[health.index(503):].count(200) == 0, f"/healthz went back to 200: {health}")
        broker.command("rtt 1 0")
        print(f"fatal delivery error: exit {d.proc.returncode}, /healthz seen {sorted(set(health))}", flush=True)
        broker.command("clear 0")
        d2 = Daemon(binary, work, "healthy", broker.bootstrap)
        wait_every_input_out(broker.bootstrap, inputs, 60, [d2])
        check_every_input_once(broker.bootstrap, inputs, allow_extra=len(inputs))
        d2.signal(signal.SIGTERM)
        check(d2.wait_exit(15) == 0, "healthy daemon did not exit 0")
        print("a healthy daemon afterwards: nothing lost", flush=True)
    finally:
        broker.stop()


def case_huge_values(binary, work):
    """Outputs larger than the producer's message.max.bytes (2000 here): the event becomes a dead
    letter (output/too_large) carrying the input bytes, or, when even those do not fit (as here), a
    dead letter without its value and with ingestd.error.value_dropped_bytes. Every input is still
    accounted for exactly once."""
    broker = Broker(binary, partitions=2)
    try:
        records = make_articles(200, malformed_every=10**9)
        big = []
        for i in range(0, 200, 10):
            text = f"Long paragraph {i} about a long story. " * 120  # ~4.7 kB: neither event nor input fits
            big.append(i)
            records[i] = (f"k{i}", json.dumps({"url": f"https://big.example/{i}", "title": f"Big {i}", "text": text}))
        produce(broker.bootstrap, "articles.raw", records)
        # Malformed records whose key, or headers, alone pass the limit: their dead letters go
        # without the input's key and headers too (else: a fatal error at every restart).
        produce(broker.bootstrap, "articles.raw", [("K" * 2500, "{not json")])
        produce(broker.bootstrap, "articles.raw", [("small", "{not json either")], headers=[f"trace={'t' * 2500}"])
        inputs = input_positions(broker.bootstrap)
        d = Daemon(binary, work, "d", broker.bootstrap, sets=["kafka.producer={message.max.bytes: '2000'}"])
        wait_all_out(broker.bootstrap, len(inputs), 60, [d])
        out = check_every_input_once(broker.bootstrap, inputs)
        dropped = kept = 0
        stripped = []
        for r in out.records["articles.dead-letter"]:
            h = headers_of(r)
            pos = (int(h["ingestd.error.partition"]), int(h["ingestd.error.offset"]))
            if h["ingestd.error.stage"] == "parse":
                size = len(inputs[pos]["key"] or "")
                check(int(h.get("ingestd.error.key_dropped_bytes", -1)) == size and not r.get("key")
                      and "trace" not in h and not r.get("payload"), f"{pos}: key or headers kept: {h}")
                stripped.append(int(h["ingestd.error.headers_dropped"]))
                continue
            check(h["ingestd.error.reason"] == "too_large", f"{pos}: reason {h['ingestd.error.reason']}")
            if "ingestd.error.value_dropped_bytes" in h:
                check(int(h["ingestd.error.value_dropped_bytes"]) == len(inputs[pos]["payload"].encode()),
                      f"{pos}: wrong dropped size")
                check(not r.get("payload"), f"{pos}: value not dropped")
                dropped += 1
            else:
                check(r["payload"] == inputs[pos]["payload"], f"{pos}: dead letter value changed")
                kept += 1
        check(dropped + kept == len(big), f"{dropped + kept} too-large dead letters, expected {len(big)}")
        check(dropped == len(big), f"{dropped} dead letters dropped their value, expected {len(big)}")
        check(sorted(stripped) == [0, 1], f"headers dropped of the two malformed records: {stripped}")
        check(d.metric("ingestd_dead_letter_values_dropped_total") == dropped + len(stripped), "values_dropped metric")
        # Counted where they ended, not where the chain sent them.
        counted = {o: d.metric(f'ingestd_records_out_total{{output="{o}"}}') for o in ("enriched", "duplicates",
                                                                                       "dead_letter")}
        too_large = d.metric('ingestd_dead_letters_total{reason="too_large",stage="output"}')
        check(counted["enriched"] + counted["duplicates"] == len(inputs) - len(big) - 2
              and counted["dead_letter"] == len(big) + 2 and too_large == len(big),
              f"records_out {counted}, output/too_large dead letters {too_large}: expected {len(big)} of those")
        check(any("dead letter" in line and "too_large" in line for line in d.log_text().splitlines()),
              "no dead-letter warning for the events too large to send")
        print(f"huge values: {kept} dead letters with their bytes, {dropped} without", flush=True)
        d.signal(signal.SIGTERM)
        check(d.wait_exit(15) == 0, "did not exit 0")
    finally:
        broker.stop()


def case_config(binary, work):
    """librdkafka properties pass through; keys ingestd owns are refused by name; secrets never reach the log."""
    broker = Broker(binary, partitions=1)
    try:
        bad = subprocess.run([binary, "run", "--config", "/dev/null", "--set", f"kafka.brokers={broker.bootstrap}",
                              "--set", "kafka.consumer={enable.auto.commit: 'true'}", "--set", "admin.port=0",
                              "--set", "pipeline.stages=[]"],
                             capture_output=True, text=True, timeout=30)
        check(bad.returncode == 1, f"owned key: exit {bad.returncode}")
        check("kafka.consumer.enable.auto.commit" in bad.stderr, f"owned key not named: {bad.stderr}")
        unknown = subprocess.run([binary, "run", "--config", "/dev/null", "--set", f"kafka.brokers={broker.bootstrap}",
                                  "--set", "kafka.producer={no.such.thing: '1'}", "--set", "admin.port=0",
                                  "--set", "pipeline.stages=[]"],
                                 capture_output=True, text=True, timeout=30)
        check(unknown.returncode == 1 and "kafka.producer.no.such.thing" in unknown.stderr,
              f"unknown librdkafka property: {unknown.returncode} {unknown.stderr}")
        secret = "hunter2-do-not-log"
        d = Daemon(binary, work, "d", broker.bootstrap,
                   sets=[f"kafka.consumer={{sasl.password: '{secret}', fetch.wait.max.ms: '50'}}",
                         f"kafka.producer={{ssl.key.password: '{secret}'}}", "logging.format=json"])
        d.wait_ready()
        text = d.log_text()
        check(secret not in text, "a secret reached the log")
        check("sasl.password=[redacted]" in text and "fetch.wait.max.ms=50" in text, "properties not logged")
        for line in text.splitlines():
            json.loads(line)  # logging.format=json: one JSON object per line
        d.signal(signal.SIGTERM)
        check(d.wait_exit(15) == 0, "did not exit 0")
        print("config: owned and unknown keys refused by name, secrets redacted, JSON log lines", flush=True)
    finally:
        broker.stop()


CASES = {
    "config": case_config,
    "fatal_delivery": case_fatal_delivery,
    "huge_values": case_huge_values,
    "clean_run": case_clean_run,
    "sigkill_restart": case_sigkill_restart,
    "two_daemons": case_two_daemons,
    "member_killed": case_member_killed,
    "broker_errors": case_broker_errors,
    "drain": case_drain,
    "shutdown_broker_down": case_shutdown_broker_down,
    "lost_while_paused": case_lost_while_paused,
    "signals": case_signals,
    "member_joins": case_member_joins,
    "reload": case_reload,
    "sighup_reload": case_sighup_reload,
}


if __name__ == "__main__":
    sys.exit(run_case(CASES, budget=165))  # ctest's TIMEOUT is 180
