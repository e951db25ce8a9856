#!/usr/bin/env bash
# `make demo` (offline version until the Kafka runtime lands): replays the sample
# articles through the stage chain and prints one readable line per event.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build/ingestd replay --config config/local.yaml --input tests/fixtures/replay/articles.jsonl \
  --output "$out/events.jsonl" --dlq "$out/dlq.jsonl"
/usr/bin/python3 - "$out/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    lang = e.get("language", {}).get("code", "-")
    dd = e.get("dedupe", {}).get("status", "-")
    tags = ", ".join(t["id"] for t in e.get("tags", [])[:4]) or "-"
    print(f"{e['id']:<20} lang={lang:<7} dedupe={dd:<6} tags={tags}  | {e['title'][:60]}")
PY
