#!/usr/bin/env bash
# Runs the daemon as the image would (ctest: docker_image_runs_and_passes_health_check).
# Usage: docker_image_run_test.sh SOURCE_DIR INGESTD_BINARY WORK_DIR
#
# The image's layout in a temporary root (/usr/local/bin/ingestd, /etc/ingestd/ingestd.yaml, the taxonomy),
# its user (uid 10001 when run as root), an empty environment but INGESTD_KAFKA_BROKERS, pointed at
# `ingestd embedded-broker`. Then: the Dockerfile's own HEALTHCHECK command passes, /readyz (the chart's
# readiness probe) answers 200, and SIGTERM ends the daemon with status 0 within runtime.shutdown_grace_ms.
# Exits 77 (skip) when the binary has no embedded broker yet.
set -euo pipefail

src=$1
binary=$2
work=$3
[[ -x "$binary" ]] || { echo "FAIL no ingestd binary at $binary (make build)"; exit 1; }
for tool in python3 setpriv curl; do command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }; done

rm -rf "$work"
mkdir -p "$work"
# The root is a temporary dir of its own, open to the image's user: the build tree's
# parents may be private (a checkout in a mode-0700 temporary dir).
root_parent=$(mktemp -d /tmp/ingestd-image.XXXXXX)
chmod 755 "$root_parent"
root="$root_parent/root"
mkdir -p "$root/usr/local/bin" "$root/etc/ingestd"
cp "$binary" "$root/usr/local/bin/ingestd"
cp "$src/config/ingestd.yaml" "$root/etc/ingestd/ingestd.yaml"
[[ -d "$src/config/taxonomy" ]] && cp -r "$src/config/taxonomy" "$root/etc/ingestd/taxonomy"
# The countries generated at build time, where the Dockerfile puts them (found beside the binary).
generated="$(dirname "$binary")/taxonomy/countries.yaml"
if [[ -f "$generated" ]]; then
  mkdir -p "$root/usr/local/share/ingestd/taxonomy"
  cp "$generated" "$root/usr/local/share/ingestd/taxonomy/countries.yaml"
fi
chmod -R a+rX "$root"
as_image_user=()
[[ $(id -u) -eq 0 ]] && as_image_user=(setpriv --reuid=10001 --regid=10001 --clear-groups)

broker_pid=""
daemon_pid=""
cleanup() {
  [[ -n "$daemon_pid" ]] && kill -KILL "$daemon_pid" 2>/dev/null || true
  [[ -n "$broker_pid" ]] && kill -TERM "$broker_pid" 2>/dev/null || true
  rm -rf "$root_parent"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

"$binary" embedded-broker --partitions 2 >"$work/broker.out" 2>"$work/broker.err" </dev/null &
broker_pid=$!
broker_up() { [[ -s "$work/broker.out" ]] || ! kill -0 "$broker_pid" 2>/dev/null; }
wait_for 20 broker_up || { echo "FAIL the embedded broker printed no address in 20 s"; exit 1; }
if ! kill -0 "$broker_pid" 2>/dev/null && grep -q "not part of this build" "$work/broker.err"; then
  echo "SKIP: this build has no embedded broker yet: $(cat "$work/broker.err")"
  broker_pid=""
  exit 77
fi
brokers=$(head -n1 "$work/broker.out")
echo "embedded broker at $brokers"

# admin.port 0 takes a free port (other builds share this machine); the HEALTHCHECK gets that port below.
(cd / && exec env -i PATH=/usr/bin:/bin INGESTD_KAFKA_BROKERS="$brokers" "${as_image_user[@]}" \
  "$root/usr/local/bin/ingestd" run --config "$root/etc/ingestd/ingestd.yaml" \
  --set admin.address=127.0.0.1 --set admin.port=0) >"$work/daemon.out" 2>"$work/daemon.err" &
daemon_pid=$!
admin_port() { grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$work/daemon.err" | head -n1 | sed 's/.*://'; }
port_known() { [[ -n "$(admin_port)" ]] || ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 20 port_known
port=$(admin_port)
if [[ -z "$port" ]]; then
  echo "FAIL the daemon did not start its admin server:"
  cat "$work/daemon.err"
  exit 1
fi
echo "daemon admin port $port"

# The Dockerfile's HEALTHCHECK, exactly as written, with the image's port 9464 replaced by that one.
mapfile -t healthcheck < <(python3 - "$src/Dockerfile" "$port" <<'EOF'
import json, re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
line = next(l for l in text.splitlines() if l.startswith("HEALTHCHECK "))
cmd = json.loads(line[line.index("CMD") + 3:].strip())
for word in cmd:
    print(word.replace("9464", sys.argv[2]))
EOF
)
healthy() { "${healthcheck[@]}" 2>/dev/null; }
if wait_for 30 healthy; then
  echo "ok: the Dockerfile's HEALTHCHECK passes"
else
  echo "FAIL the Dockerfile's HEALTHCHECK did not pass within 30 s: ${healthcheck[*]}"
  cat "$work/daemon.err"
  exit 1
fi
ready() { curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; }
if wait_for 60 ready; then
  echo "ok: /readyz answers 200"
else
  echo "FAIL /readyz did not answer 200 within 60 s"
  cat "$work/daemon.err"
  exit 1
fi

kill -TERM "$daemon_pid"
grace_ms=$(sed -n 's/^ *shutdown_grace_ms: *\([0-9]*\).*/\1/p' "$root/etc/ingestd/ingestd.yaml")
grace_s=$(((${grace_ms:-30000} + 999) / 1000 + 5))
exited() { ! kill -0 "$daemon_pid" 2>/dev/null; }
if ! wait_for "$grace_s" exited; then
  echo "FAIL the daemon did not exit within ${grace_s} s of SIGTERM"
  exit 1
fi
status=0
wait "$daemon_pid" || status=$?
daemon_pid=""
if [[ $status -ne 0 ]]; then
  echo "FAIL the daemon exited with status $status after SIGTERM"
  tail -n 20 "$work/daemon.err"
  exit 1
fi
echo "ok: SIGTERM: exit 0"
echo "docker_image_runs_and_passes_health_check: ok"
