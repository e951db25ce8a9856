#!/usr/bin/env bash
# `make demo`: an embedded Kafka broker, the sample articles loaded into its input
# topic with kcat, the daemon consuming them, and one readable line per event that
# comes out (enriched, duplicate or dead letter). Runs until Ctrl-C, or for
# DEMO_SECONDS seconds (non-interactive: CI, quick checks); exits 1 if no enriched
# event came out.
#
#   DEMO_SECONDS=20 scripts/demo.sh
#   DEMO_INPUT='my/*.jsonl' scripts/demo.sh     # other JSON Lines files
#   DEMO_ADMIN_PORT=0 scripts/demo.sh           # the admin server on any free port
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${INGESTD_BINARY:-build/ingestd}
config=${DEMO_CONFIG:-config/local.yaml}
seconds=${DEMO_SECONDS:-0}
input=${DEMO_INPUT:-tests/fixtures/replay/*.jsonl}
[[ -x $bin ]] || { echo "demo: $bin not found; run 'make build' first" >&2; exit 1; }
command -v kcat >/dev/null || { echo "demo: kcat not found (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${DEMO_KEEP:-} ]] && echo "demo: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

wait_for_line() {  # FILE REGEX SECONDS: prints the first match
  local deadline=$((SECONDS + $3))
  until grep -m1 -oE "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "demo: timed out waiting for /$2/ in $1" >&2; cat "$1" >&2; return 1; }
    sleep 0.1
  done
}

# 1. The broker: librdkafka's mock cluster, bootstrap address on its first stdout line.
"$bin" embedded-broker --partitions 3 >"$work/broker.out" 2>"$work/broker.log" </dev/null &
pids+=($!)
brokers=$(wait_for_line "$work/broker.out" '^[0-9.]+:[0-9]+' 10)
echo "demo: embedded Kafka broker at $brokers (try: kcat -L -b $brokers)"

# 2. The sample articles, one message per line (the malformed ones become dead letters).
files=$(ls $input 2>/dev/null || true)
if [[ -z $files ]]; then
  echo "demo: no input matches $input; generating a few articles" >&2
  /usr/bin/python3 -c '
import json
for i in range(20):
    print(json.dumps({"url": f"https://demo.example/{i}", "title": f"Demo article {i}",
                      "text": f"This is the body of demo article number {i}. " * 5, "source": "demo.example"}))
' >"$work/generated.jsonl"
  files="$work/generated.jsonl"
fi
cat $files | grep -av "^$" | kcat -P -b "$brokers" -t articles.raw
echo "demo: loaded $(cat $files | grep -avc "^$") records from $(echo $files | wc -w) file(s) into articles.raw"

# 3. The daemon. The admin port from DEMO_ADMIN_PORT, else the config's if it is free,
# else any free port.
port=${DEMO_ADMIN_PORT:-$(grep -A3 '^admin:' "$config" | sed -n 's/^ *port: *\([0-9]*\).*/\1/p')}
if [[ -n $port ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=0; fi
"$bin" run --config "$config" --set kafka.brokers="$brokers" --set admin.port="${port:-0}" 2>"$work/ingestd.log" &
pids+=($!)
admin=$(wait_for_line "$work/ingestd.log" 'listening on [0-9.]+:[0-9]+' 10 | cut -d' ' -f3)
echo "demo: ingestd running; metrics at http://$admin/metrics, readiness at http://$admin/readyz"
echo "demo: daemon log: $work/ingestd.log (removed on exit)"
[[ $seconds -gt 0 ]] && echo "demo: stopping after $seconds s" || echo "demo: Ctrl-C to stop"
echo

# 4. What comes out, as it comes out.
kcat -u -q -J -b "$brokers" -G ingestd-demo-viewer -X auto.offset.reset=earliest \
  articles.enriched articles.duplicates articles.dead-letter 2>/dev/null >"$work/events.jsonl" &
pids+=($!)
/usr/bin/python3 -u - "$work/events.jsonl" "$seconds" <<'PY' &
import json, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
end = time.monotonic() + seconds if seconds > 0 else None
counts = {}
with open(path, "rb") as f:
    while end is None or time.monotonic() < end:
        line = f.readline()
        if not line.endswith(b"\n"):
            f.seek(f.tell() - len(line))  # a partial line: read it again when complete
            time.sleep(0.1)
            continue
        try:  # kcat writes binary payloads as they are
            r = json.loads(line.decode("utf-8", errors="replace"))
        except ValueError:
            continue
        topic = r["topic"].split(".")[-1]
        counts[topic] = counts.get(topic, 0) + 1
        if topic == "dead-letter":
            h = dict(zip(r["headers"][0::2], r["headers"][1::2])) if r.get("headers") else {}
            why = f"{h.get('ingestd.error.stage', '?')}/{h.get('ingestd.error.reason', '?')}"
            where = f"p{h.get('ingestd.error.partition')}@{h.get('ingestd.error.offset')}"
            print(f"DEAD-LETTER  {why:<27} {where:<8} | {(r.get('payload') or '')[:50]!r}")
            continue
        e = json.loads(r["payload"])
        lang = (e.get("language") or {}).get("code", "-")
        dedupe = (e.get("dedupe") or {}).get("status", "-")
        tags = ", ".join(t.get("id", "?") for t in (e.get("tags") or [])[:3]) or "-"
        kind = "ENRICHED " if topic == "enriched" else "DUPLICATE"
        print(f"{kind}    {e['id'][:20]:<20} lang={lang:<5} dedupe={dedupe:<6} tags={tags:<30} | {e.get('title', '')[:50]}")
print(f"\ndemo: {counts.get('enriched', 0)} enriched, {counts.get('duplicates', 0)} duplicates, "
      f"{counts.get('dead-letter', 0)} dead letters")
sys.exit(0 if counts.get("enriched") else 1)
PY
viewer=$!
wait $viewer
