#!/usr/bin/env bash
# End-to-end Kafka throughput: `ingestd run` with every stage off (decode, encode,
# ordered idempotent produce, watermark commits) against a kcat consume | kcat
# produce pipe over the same topic and data, on one embedded broker, in the same
# run. Prints a Markdown table of medians (records/s) and the ratio.
#
#   bench/e2e_kafka.sh [RECORDS] [REPEATS]     (defaults: 50000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
repeats=${2:-3}
bin=${INGESTD_BINARY:-build/ingestd}
partitions=8
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" embedded-broker --partitions $partitions \
  --topics articles.raw,articles.enriched,articles.duplicates,articles.dead-letter,bench.kcat-out \
  >"$work/broker.out" 2>/dev/null </dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/broker.out ]] && break; sleep 0.1; done
brokers=$(head -1 "$work/broker.out")

# N articles of ~600 bytes, keyed, spread over the partitions by key.
/usr/bin/python3 - "$n" >"$work/input.txt" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    body = f"Paragraph {i} of a report about item {i}, with enough words to look like news. " * 6
    print(f"k{i}\t" + json.dumps({"id": f"a{i}", "url": f"https://news.example.com/s/{i}", "title": f"Story {i}",
                                  "text": body, "source": "news.example.com"}))
PY
kcat -P -b "$brokers" -t articles.raw -K $'\t' -l "$work/input.txt"
bytes=$(stat -c %s "$work/input.txt")

now() { date +%s.%N; }

kcat_pipe() {
  local start end
  start=$(now)
  kcat -C -b "$brokers" -t articles.raw -o beginning -e -q -K $'\t' |
    kcat -P -b "$brokers" -t bench.kcat-out -K $'\t'
  end=$(now)
  echo "$n / ($end - $start)" | bc -l
}

ingestd_run() {  # $1: run name (a fresh consumer group each time), $2: runtime.max_inflight_records
  local log="$work/ingestd-$1.log" port start="" end metrics records inflight
  cat >"$work/bench.yaml" <<YAML
kafka:
  brokers: "$brokers"
  group_id: bench-$1
runtime:
  workers: 2
  max_inflight_records: $2
  commit_interval_ms: 100  # the last records count as done when committed: do not wait a second for it
admin:
  port: 0
logging:
  level: warn
pipeline:
  stages: []
YAML
  "$bin" run --config "$work/bench.yaml" --set logging.level=info 2>"$log" &
  local pid=$!
  for _ in $(seq 200); do grep -q 'listening on' "$log" 2>/dev/null && break; sleep 0.05; done
  port=$(grep -oE 'listening on [0-9.]+:[0-9]+' "$log" | cut -d: -f2)
  # From the first record taken in to the last one committed (the group join is not counted).
  while true; do
    metrics=$(curl -s "http://127.0.0.1:$port/metrics")
    records=$(awk '/^ingestd_records_in_total /{print $2}' <<<"$metrics")
    inflight=$(awk '/^ingestd_inflight_records /{print $2}' <<<"$metrics")
    [[ -z $start && ${records%.*} -gt 0 ]] && start=$(now)
    if [[ ${records%.*} -ge $n && ${inflight%.*} -eq 0 ]]; then end=$(now); break; fi
    sleep 0.02
  done
  kill -TERM $pid
  wait $pid
  echo "$n / ($end - $start)" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

k=() i=() j=()
for r in $(seq "$repeats"); do
  k+=("$(kcat_pipe)")
  i+=("$(ingestd_run "$r" 10000)")
  j+=("$(ingestd_run "big-$r" 100000)")
done
km=$(printf '%s\n' "${k[@]}" | median)
im=$(printf '%s\n' "${i[@]}" | median)
jm=$(printf '%s\n' "${j[@]}" | median)
echo "records: $n ($((bytes / n)) bytes each on average), partitions: $partitions, repeats: $repeats"
echo "kcat runs (records/s): ${k[*]}"
echo "ingestd runs (records/s): ${i[*]}"
echo "ingestd runs, in-flight bound 100000 (records/s): ${j[*]}"
echo
echo "| pipeline | median records/s | ratio to kcat pipe |"
echo "|---|---|---|"
printf '| kcat -C \\| kcat -P | %.0f | 1.00 |\n' "$km"
printf '| ingestd run, pipeline.stages: [] (max_inflight_records 10000, the default) | %.0f | %.2f |\n' "$im" "$(echo "$im / $km" | bc -l)"
printf '| ingestd run, pipeline.stages: [], max_inflight_records 100000 | %.0f | %.2f |\n' "$jm" "$(echo "$jm / $km" | bc -l)"
