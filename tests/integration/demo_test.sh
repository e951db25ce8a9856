#!/usr/bin/env bash
# `make demo` as a user runs it (scripts/demo.sh: embedded broker, the sample articles
# loaded with kcat, the daemon, a viewer reading the three output topics with kcat), for
# a bounded time and with the admin server on a free port. It must show every record
# it loaded come out exactly once, with at least one enriched event.
#
#   demo_test.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(INGESTD_BINARY=$1 DEMO_SECONDS=${DEMO_SECONDS:-25} DEMO_ADMIN_PORT=0 bash scripts/demo.sh 2>&1) || {
  echo "$out"
  echo "FAIL demo exited non-zero"
  exit 1
}
echo "$out"
loaded=$(sed -n 's/^demo: loaded \([0-9]*\) records.*/\1/p' <<<"$out")
read -r enriched duplicates dead < <(sed -n 's/^demo: \([0-9]*\) enriched, \([0-9]*\) duplicates, \([0-9]*\) dead letters$/\1 \2 \3/p' <<<"$out")
[[ -n $loaded && -n $enriched ]] || { echo "FAIL no load or summary line"; exit 1; }
lines=$(grep -cE '^(ENRICHED|DUPLICATE|DEAD-LETTER) ' <<<"$out" || true)
if ((enriched + duplicates + dead != loaded || lines != loaded || enriched == 0)); then
  echo "FAIL loaded $loaded records; out: $enriched enriched, $duplicates duplicates, $dead dead letters ($lines lines)"
  exit 1
fi
echo "PASS demo: $loaded records in, $enriched enriched, $duplicates duplicates, $dead dead letters"
