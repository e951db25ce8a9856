#!/usr/bin/env bash
# The chart tests (ctest label "helm"). Usage: run.sh WORK_DIR COMMAND [ARGS]
#
#   setup                 build helm-render (Go, GOPATH mode, Debian's sprig) and `npm ci` the validators
#   render CASE           render tests/helm/values/CASE.yaml, check values against the schema, validate
#                         every manifest (API schemas, unknown fields, the chart's own promises)
#   reject-schema CASE    values.schema.json must reject CASE.yaml
#   reject-render CASE    rendering CASE.yaml must fail (the chart's `fail` / `required` guards)
#   go-test               the renderer's own tests (the Helm behaviours it copies)
#   alerts                promtool check rules on files/alerts.yaml
#   daemon-config CASE BINARY
#                         the rendered ingestd.yaml passes `ingestd check-config`
#   pod-run CASE BINARY   the rendered pod's args, env and config run the daemon against the embedded
#                         broker; its probes answer and SIGTERM ends it within the grace period
#
# Exits 77 (ctest SKIP_RETURN_CODE) only when go, node or npm is not installed at all.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
chart="$repo/helm/ingestd"
work=$1
cmd=$2
shift 2
mkdir -p "$work"
render_bin="$work/helm-render"
modules="$work/node"

need() {
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed (scripts/install-deps.sh installs it)"
      exit 77
    fi
  done
}

render() { # CASE, extra helm-render flags...
  local case=$1
  shift
  # The Kubernetes version of the API schemas in validate/package.json (kubernetes-models 4.5.1: 1.27).
  "$render_bin" --chart "$chart" --name ingestd --namespace ingest --kube-version v1.27.1 \
    -f "$here/values/$case.yaml" "$@"
}

case "$cmd" in
  setup)
    need go node npm
    # GOPATH mode: sprig and its dependencies come from Debian's /usr/share/gocode, nothing is downloaded.
    (cd "$here/render" && GO111MODULE=off GOFLAGS= GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/gocache" \
      go build -o "$render_bin" .)
    mkdir -p "$modules"
    if ! cmp -s "$here/validate/package-lock.json" "$modules/package-lock.json" || [[ ! -d "$modules/node_modules" ]]; then
      cp "$here/validate/package.json" "$here/validate/package-lock.json" "$modules/"
      (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    echo "helm tools ready in $work"
    ;;
  render)
    need go node
    case=$1
    out="$work/$case"
    mkdir -p "$out"
    render "$case" --out-values "$out/values.json" --values-only
    node "$here/validate/validate.cjs" values --modules "$modules" --schema "$chart/values.schema.json" \
      --values "$out/values.json"
    render "$case" --out-yaml "$out/manifests.yaml" --out-json "$out/manifests.json" --out-notes "$out/NOTES.txt"
    [[ -s "$out/NOTES.txt" ]] || { echo "FAIL NOTES.txt rendered empty"; exit 1; }
    node "$here/validate/validate.cjs" manifests --modules "$modules" --manifests "$out/manifests.json" \
      --values "$out/values.json" --case "$case"
    echo "rendered manifests: $out/manifests.yaml"
    ;;
  reject-schema)
    need go node
    case=$1
    mkdir -p "$work/$case"
    render "$case" --out-values "$work/$case/values.json" --values-only
    node "$here/validate/validate.cjs" values --modules "$modules" --schema "$chart/values.schema.json" \
      --values "$work/$case/values.json" --expect-reject
    ;;
  reject-render)
    need go
    case=$1
    if out=$(render "$case" 2>&1); then
      echo "FAIL rendering $case.yaml succeeded; it must fail"
      exit 1
    fi
    echo "refused as expected: ${out##*: }"
    ;;
  go-test)
    need go
    cd "$here/render"
    GO111MODULE=off GOFLAGS= GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/gocache" go test -count=1 -v .
    ;;
  alerts)
    command -v promtool >/dev/null 2>&1 || { echo "SKIP: promtool is not installed"; exit 77; }
    promtool check rules "$chart/files/alerts.yaml"
    ;;
  daemon-config)
    need go
    case=$1
    binary=$2
    [[ -x "$binary" ]] || { echo "FAIL no ingestd binary at $binary"; exit 1; }
    out="$work/$case"
    mkdir -p "$out"
    render "$case" --out-json "$out/manifests.json"
    # The ConfigMap's ingestd.yaml, as the pod sees it. The taxonomy path is the pod's: use the chart's
    # taxonomy ConfigMap when it renders one, else the repository's (what the image ships).
    rm -rf "$out/taxonomy"
    python3 - "$out/manifests.json" "$out/ingestd.yaml" "$out/taxonomy" <<'EOF'
import json, os, sys
docs = [i["doc"] for i in json.load(open(sys.argv[1])) if i["doc"]["kind"] == "ConfigMap"]
config = [d["data"]["ingestd.yaml"] for d in docs if "ingestd.yaml" in d.get("data", {})]
open(sys.argv[2], "w").write(config[0])
for d in docs:
    if d["metadata"]["name"].endswith("-taxonomy"):
        os.makedirs(sys.argv[3])
        for name, content in d["data"].items():
            open(os.path.join(sys.argv[3], name), "w").write(content)
EOF
    taxonomy="$repo/config/taxonomy"
    [[ -d "$out/taxonomy" ]] && taxonomy="$out/taxonomy"
    check() {
      env -i PATH=/usr/bin:/bin INGESTD_KAFKA_BROKERS=kafka:9092 POD_NAME=ingestd-0 KAFKA_USERNAME=u KAFKA_PASSWORD=p \
        "$binary" check-config --config "$out/ingestd.yaml" --set "tagging.taxonomy_dir=$taxonomy" "$@" 2>&1
    }
    # A build that lacks a stage (stages land one by one) says so; the chart is not at fault for that,
    # so check the rest of the config without it and say what was left out.
    stages=$(python3 -c 'import re,sys; m=re.search(r"^  stages:\n((?:  - .*\n)+)", open(sys.argv[1]).read(), re.M); print(" ".join(re.findall(r"- (\S+)", m.group(1))) if m else "")' "$out/ingestd.yaml")
    set_stages=()
    while ! result=$(check "${set_stages[@]}"); do
      missing=$(sed -n 's/.*stage "\([a-z_]*\)" is not available in this build.*/\1/p' <<<"$result")
      if [[ -z "$missing" || " $stages " != *" $missing "* ]]; then
        echo "FAIL ingestd check-config rejects the chart's config ($case):"
        echo "$result"
        exit 1
      fi
      echo "NOTE: this build has no $missing stage; checking the config without it"
      stages=$(sed "s/\b$missing\b//; s/  */ /g; s/^ //; s/ $//" <<<"$stages")
      set_stages=(--set "pipeline.stages=[${stages// /,}]")
    done
    echo "$result"
    echo "ingestd check-config accepts the chart's config ($case)"
    ;;
  pod-run)
    need go
    case=$1
    out="$work/$case"
    mkdir -p "$out"
    render "$case" --out-json "$out/manifests.json"
    python3 "$here/pod_run_test.py" "$out/manifests.json" "$2" "$repo" "$out/pod"
    ;;
  *)
    echo "run.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
